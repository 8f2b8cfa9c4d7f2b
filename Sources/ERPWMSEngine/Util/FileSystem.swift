import ERPWMSFormats
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A file-system problem with the path and the system's reason.
public struct FileSystemError: Error, Sendable, CustomStringConvertible {
    public var operation: String
    public var path: String
    public var reason: String

    public var description: String { "\(operation) \(path): \(reason)" }
}

/// Durable file operations: every publish is temp name, fsync, rename, directory fsync.
enum FS {
    static func fail(_ op: String, _ path: String, _ code: Int32 = errno) -> FileSystemError {
        FileSystemError(operation: op, path: path, reason: String(cString: strerror(code)))
    }

    static func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }

    /// The size of the file at `path`, in bytes.
    static func size(_ path: String) throws -> Int64 {
        var st = stat()
        guard stat(path, &st) == 0 else { throw fail("stat", path) }
        return Int64(st.st_size)
    }

    /// True when this process can open `path` for reading.
    static func isReadable(_ path: String) -> Bool {
        access(path, R_OK) == 0
    }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// Creates `path` and missing parents. New folders get `mode` (default: no world access).
    static func makeDirectories(_ path: String, mode: Int = 0o750) throws {
        if isDirectory(path) { return }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: mode])
        } catch {
            throw FileSystemError(operation: "create directory", path: path, reason: "\(error.localizedDescription)")
        }
    }

    static func fsyncDirectory(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw fail("open directory", path) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw fail("fsync directory", path) }
    }

    static func parent(_ path: String) -> String {
        (path as NSString).deletingLastPathComponent
    }

    static func name(_ path: String) -> String {
        (path as NSString).lastPathComponent
    }

    /// Renames `from` to `to` (same file system) and makes both directory entries durable.
    static func move(_ from: String, to: String) throws {
        try moveUnsynced(from, to: to)
        try fsyncDirectory(parent(to))
        if parent(from) != parent(to) { try fsyncDirectory(parent(from)) }
    }

    /// `move` without making the two directory entries durable: the caller syncs the directories afterwards
    /// (`fsyncDirectory`), once for several moves.
    static func moveUnsynced(_ from: String, to: String) throws {
        try makeDirectories(parent(to))
        guard rename(from, to) == 0 else { throw fail("rename to \(to)", from) }
    }

    /// A path in `directory` named `name`, or `stem-2.ext`, `stem-3.ext`... if taken.
    static func freeName(in directory: String, _ name: String) -> String {
        var candidate = directory + "/" + name
        var n = 2
        let ns = name as NSString
        let ext = ns.pathExtension
        let stem = ns.deletingPathExtension
        while exists(candidate) {
            candidate = directory + "/" + stem + "-\(n)" + (ext.isEmpty ? "" : "." + ext)
            n += 1
        }
        return candidate
    }

    /// Writes `data` atomically to `path`: temp file beside it, fsync, rename, directory fsync.
    static func writeAtomically(_ data: [UInt8], to path: String) throws {
        let dir = parent(path)
        try makeDirectories(dir)
        let file = try AtomicFile(temp: dir + "/." + name(path) + ".tmp-\(getpid())")
        defer { file.discard() }
        try data.withUnsafeBytes { try file.sink.write($0) }
        try file.commit(to: path)
    }

    /// Copies `from` to `to` (replacing it) and fsyncs the copy and its folder.
    static func copyDurably(_ from: String, to: String) throws {
        let source = try FileSink.reader(from)
        defer { close(source) }
        let sink = try FileSink(path: to)
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(source, $0.baseAddress, $0.count) }
            if n < 0 { throw fail("read", from) }
            if n == 0 { break }
            try buffer.withUnsafeBytes { try sink.write(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
        try sink.close(sync: true)
        try fsyncDirectory(parent(to))
    }

    static func remove(_ path: String) {
        unlink(path)
    }
}

/// A buffered, append-only file writer over a file descriptor, with an explicit durable close.
final class FileSink: ByteSink {
    let path: String
    private var fd: Int32
    private var buffer: [UInt8] = []
    private(set) var bytesWritten: Int64 = 0
    /// The offset up to which the kernel was asked to start writing the file to disk (`startWriteback`).
    private(set) var writebackStarted: Int64 = 0
    /// When set, writeback is started every this many bytes, so that the fsync at the end waits for little.
    private let writebackEvery: Int64?

    /// `writebackEvery`: for a large output that is fsynced at the end and not read again in this run (the
    /// staged outputs, a report's details); off for files read back soon (a copy about to be processed).
    init(path: String, writebackEvery: Int64? = nil) throws {
        self.path = path
        self.writebackEvery = writebackEvery
        // Group may read (the WMS or ERP user picking outputs up); the world may not.
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o640)
        guard fd >= 0 else { throw FS.fail("create", path) }
        buffer.reserveCapacity(256 << 10)
    }

    deinit { if fd >= 0 { Glibc.close(fd) } }

    /// Opens `path` for reading; the caller closes the descriptor.
    static func reader(_ path: String) throws -> Int32 {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FS.fail("open", path) }
        return fd
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        bytesWritten += Int64(bytes.count)
        // A large chunk (the writers drain 64 KiB at a time) goes straight to the kernel, not through the buffer.
        if buffer.isEmpty && bytes.count >= 64 << 10 {
            try writeAll(bytes)
            startWritebackIfDue()
            return
        }
        buffer.append(contentsOf: bytes)
        if buffer.count >= 256 << 10 { try flush() }
    }

    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    func flush() throws {
        try buffer.withUnsafeBytes { try writeAll($0) }
        buffer.removeAll(keepingCapacity: true)
        startWritebackIfDue()
    }

    /// Writes all of `bytes`, at the end of the file or, with `at`, from that offset (`pwrite`).
    private func writeAll(_ bytes: UnsafeRawBufferPointer, at position: Int64? = nil) throws {
        var offset = 0
        while offset < bytes.count {
            let n = position.map { pwrite(fd, bytes.baseAddress! + offset, bytes.count - offset, off_t($0) + off_t(offset)) }
                ?? Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw FS.fail("write", path)
            }
            offset += n
        }
    }

    /// Bytes handed to the kernel so far (what is not waiting in the buffer).
    private var kernelBytes: Int64 { bytesWritten - Int64(buffer.count) }

    private func startWritebackIfDue() {
        if let every = writebackEvery, kernelBytes - writebackStarted >= every { startWriteback() }
    }

    /// Asks the kernel to start writing to disk what it has been given of this file and not yet asked for
    /// (`sync_file_range(SYNC_FILE_RANGE_WRITE)`), without waiting; bytes still in the buffer are not included
    /// (`flush` first). Durability still comes from the fsync in `close(sync:)`: this only means that the
    /// fsync finds most of the file written already, instead of waiting at the end of a run for all of it.
    func startWriteback() {
        let upTo = kernelBytes
        guard fd >= 0, upTo > writebackStarted else { return }
        _ = Self.startWriteback(fd: fd, from: writebackStarted, count: upTo - writebackStarted)
        writebackStarted = upTo
    }

    /// Asks the kernel to start writing to disk whatever it holds unwritten of the file at `path`, without
    /// waiting; false when there is no such file or no `sync_file_range`. For files another library writes (the
    /// ledger's): writeback belongs to the file, not to the descriptor.
    @discardableResult
    static func startWriteback(path: String) -> Bool {
        guard hasSyncFileRange else { return false }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { Glibc.close(fd) }
        return startWriteback(fd: fd)
    }

    /// `startWriteback(path:)` through a descriptor already open on the file (any descriptor of it will do).
    @discardableResult
    static func startWriteback(fd: Int32) -> Bool {
        startWriteback(fd: fd, from: 0, count: 0)  // count 0: to the end of the file
    }

    /// `sync_file_range(fd, from, count, SYNC_FILE_RANGE_WRITE)`; false without the function or on failure.
    private static func startWriteback(fd: Int32, from offset: Int64, count: Int64) -> Bool {
        let SYNC_FILE_RANGE_WRITE: UInt32 = 2
        guard let syncFileRange else { return false }
        return syncFileRange(fd, off_t(offset), off_t(count), SYNC_FILE_RANGE_WRITE) == 0
    }

    /// glibc's `sync_file_range`, which Swift's Glibc module leaves out (it is declared only with _GNU_SOURCE);
    /// looked up once. Nil where the C library has none: writeback then starts at the fsync, as it did.
    static var hasSyncFileRange: Bool { syncFileRange != nil }
    private typealias SyncFileRange = @convention(c) (Int32, off_t, off_t, UInt32) -> Int32
    private static let syncFileRange: SyncFileRange? = {
        guard let symbol = dlsym(nil, "sync_file_range") else { return nil }
        return unsafeBitCast(symbol, to: SyncFileRange.self)
    }()

    /// Overwrites `bytes` at `offset`, which must lie in what was written already (after a `flush`).
    func patch(_ bytes: [UInt8], at offset: Int64) throws {
        precondition(offset + Int64(bytes.count) <= kernelBytes, "a patch of bytes not written yet")
        try bytes.withUnsafeBytes { try writeAll($0, at: offset) }
    }

    /// Flushes, optionally fsyncs, and closes.
    func close(sync: Bool) throws {
        try flush()
        if sync && fsync(fd) != 0 { throw FS.fail("fsync", path) }
        Glibc.close(fd)
        fd = -1
    }

    /// Flushes and makes the file durable on a thread of its own, which the caller waits for with `wait()`, then
    /// closes it (`close(sync: false)`). For syncs that can wait on the disk while this thread works.
    func syncInBackground() throws -> BackgroundJob {
        try flush()
        let (fd, path) = (self.fd, self.path)
        return BackgroundJob { if fsync(fd) != 0 { throw FS.fail("fsync", path) } }
    }
}

/// One piece of work on a thread of its own; `wait()` waits for it and rethrows its error.
final class BackgroundJob: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var error: (any Error)?
    private var waited = false

    init(_ body: @escaping @Sendable () throws -> Void) {
        Thread { [self] in
            do { try body() } catch { self.error = error }
            done.signal()
        }.start()
    }

    /// Returns once the work is done (at once after the first call); throws its error, if any.
    func wait() throws {
        if !waited {
            waited = true
            done.wait()
        }
        if let error { throw error }
    }
}

/// A file written whole before anyone sees it: into a temporary file (`tempPath`, beside where it will go), then
/// synced and moved to its place by `commit`; `discard` removes it instead (nothing, once committed).
final class AtomicFile {
    let sink: FileSink
    let tempPath: String
    /// Where `commit()` puts it; empty when the name is given at the commit (`commit(to:)`).
    let path: String
    private var pending = true

    /// A file for `path`, written as `.NAME.tmp` beside it. `writebackEvery`: see `FileSink`.
    convenience init(path: String, writebackEvery: Int64? = nil) throws {
        try self.init(temp: FS.parent(path) + "/." + FS.name(path) + ".tmp", path: path, writebackEvery: writebackEvery)
    }

    init(temp: String, path: String = "", writebackEvery: Int64? = nil) throws {
        tempPath = temp
        self.path = path
        sink = try FileSink(path: temp, writebackEvery: writebackEvery)
    }

    /// `commit(to:)` the path it was made for.
    func commit() throws {
        precondition(!path.isEmpty, "an atomic file made without its path is committed with one")
        try commit(to: path)
    }

    /// Flushes, syncs and closes the file, and renames it to `path` (both directory entries made durable, unless
    /// `syncFolders` is false: the caller then syncs them, once for several files).
    func commit(to path: String, syncFolders: Bool = true) throws {
        try sink.close(sync: true)
        if syncFolders { try FS.move(tempPath, to: path) } else { try FS.moveUnsynced(tempPath, to: path) }
        pending = false
    }

    func discard() {
        guard pending else { return }
        pending = false
        try? sink.close(sync: false)
        FS.remove(tempPath)
    }
}

/// Runs `action` on a thread of its own every `period` until `stop()`: the ledger uses it to have the kernel
/// write its pages to disk while a large transaction runs (`FileSink.startWriteback(fd:)`), so that the
/// syncs at the commit find little left to write.
final class BackgroundWriteback: @unchecked Sendable {
    private let condition = NSCondition()
    private var stopped = false
    private let ended = DispatchSemaphore(value: 0)

    init(period: TimeInterval, action: @escaping @Sendable () -> Void) {
        let thread = Thread { [self] in
            condition.lock()
            while !stopped {
                _ = condition.wait(until: Date(timeIntervalSinceNow: period))
                if stopped { break }
                condition.unlock()
                action()
                condition.lock()
            }
            condition.unlock()
            ended.signal()
        }
        thread.start()
    }

    /// Ends the thread and waits for it: `action` does not run after this returns.
    func stop() {
        condition.lock()
        let first = !stopped
        stopped = true
        condition.signal()
        condition.unlock()
        if first { ended.wait() }
    }
}
