#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A pull stream of bytes. Codecs read through this; they never open files themselves.
public protocol ByteSource: AnyObject {
    /// Reads up to `buffer.count` bytes; returns 0 at end of stream.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// Reads a file descriptor with `read(2)`, hashing nothing and buffering nothing.
public final class FileByteSource: ByteSource {
    private let fd: Int32
    public private(set) var bytesRead: Int64 = 0

    /// Opens `path` for reading; `O_NOFOLLOW` so a symlink swapped in is not followed.
    public init(path: String) throws {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            throw FormatError(rule: "file.unreadable", message: "cannot open: \(String(cString: strerror(errno)))")
        }
        self.fd = fd
    }

    deinit { close(fd) }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 {
                bytesRead += Int64(n)
                return n
            }
            if errno == EINTR { continue }
            throw FormatError(rule: "file.unreadable", message: "read failed: \(String(cString: strerror(errno)))")
        }
    }
}

/// An in-memory source, for tests and for `validate` on small inputs.
public final class MemoryByteSource: ByteSource {
    private let bytes: [UInt8]
    private var offset = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public convenience init(_ text: String) { self.init(Array(text.utf8)) }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(buffer.count, bytes.count - offset)
        if n > 0 {
            bytes.withUnsafeBytes { src in
                buffer.baseAddress!.copyMemory(from: src.baseAddress! + offset, byteCount: n)
            }
            offset += n
        }
        return n
    }
}

/// Passes bytes through while observing them (for hashing the raw file as it is read).
public final class TeeByteSource: ByteSource {
    private let inner: ByteSource
    private let observe: (UnsafeRawBufferPointer) -> Void

    public init(_ inner: ByteSource, observe: @escaping (UnsafeRawBufferPointer) -> Void) {
        self.inner = inner
        self.observe = observe
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = try inner.read(into: buffer)
        if n > 0 { observe(UnsafeRawBufferPointer(rebasing: buffer[0..<n])) }
        return n
    }
}
