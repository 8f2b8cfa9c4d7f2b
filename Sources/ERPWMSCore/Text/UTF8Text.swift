#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Strings from bytes that must be UTF-8, made without the generic (unspecialised, metadata-hungry) path of
/// `String(validating:as:)` for the common case: ASCII is checked eight bytes at a time and taken as it is;
/// anything else goes through the full validation.
public enum UTF8Text {
    /// The bytes as a String, or nil when they are not valid UTF-8.
    @inlinable
    public static func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return "" }
        if isASCII(bytes) {
            // Up to 15 ASCII bytes (most fields): this initialiser's small-string path builds the String in place,
            // where `String(decoding:)` scanned the bytes for ASCII again and took its generic path. Longer ones
            // measured slower this way (the initialiser validates what it was given).
            if bytes.count <= 15 {
                return String(unsafeUninitializedCapacity: bytes.count) { buffer in
                    SmallCopy.copy(to: buffer.baseAddress!, from: source, count: bytes.count)
                    return bytes.count
                }
            }
            return String(decoding: bytes, as: UTF8.self)
        }
        // Decoded with repair, then compared with the bytes: the same bytes exactly when they were valid UTF-8 (a
        // repair changes them, and what it makes is valid). `String(validating:as:)` took the generic path, its
        // metadata looked up for every such field (~1 % of the reading thread).
        let decoded = String(decoding: bytes, as: UTF8.self)
        let valid = decoded.withUTF8Bytes { out in
            // memcmp, not a loop comparing a byte at a time (0.25 % fewer instructions over a run).
            out.count == bytes.count && memcmp(out.baseAddress!, source, out.count) == 0
        }
        return valid ? decoded : nil
    }

    /// True when the bytes are well-formed UTF-8 (Unicode's table 3-7: no overlong form, no surrogate, nothing above
    /// U+10FFFF), checked without making a String. ASCII is skipped eight bytes at a time.
    public static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let n = bytes.count
        let raw = UnsafeRawPointer(base)
        var i = 0
        @inline(__always) func continuation(_ at: Int) -> Bool { at < n && base[at] & 0xC0 == 0x80 }
        while i < n {
            if i + 8 <= n && raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                i += 8
                continue
            }
            let b = base[i]
            if b < 0x80 {
                i += 1
            } else if b >= 0xC2 && b <= 0xDF {
                guard continuation(i + 1) else { return false }
                i += 2
            } else if b >= 0xE0 && b <= 0xEF {
                guard i + 1 < n else { return false }
                let b1 = base[i + 1]
                let low: UInt8 = b == 0xE0 ? 0xA0 : 0x80, high: UInt8 = b == 0xED ? 0x9F : 0xBF
                guard b1 >= low && b1 <= high, continuation(i + 2) else { return false }
                i += 3
            } else if b >= 0xF0 && b <= 0xF4 {
                guard i + 1 < n else { return false }
                let b1 = base[i + 1]
                let low: UInt8 = b == 0xF0 ? 0x90 : 0x80, high: UInt8 = b == 0xF4 ? 0x8F : 0xBF
                guard b1 >= low && b1 <= high, continuation(i + 2), continuation(i + 3) else { return false }
                i += 4
            } else {
                return false
            }
        }
        return true
    }

    public static func string(_ bytes: [UInt8]) -> String? {
        bytes.withUnsafeBufferPointer { string($0) }
    }

    /// True when the two hold the same bytes (`memcmp`, not the generic `elementsEqual`).
    @inlinable @inline(__always)
    public static func equal(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        guard let pa = a.baseAddress, let pb = b.baseAddress, a.count > 0 else { return true }
        return memcmp(pa, pb, a.count) == 0
    }

    /// True when every byte is below 0x80.
    ///
    /// Eight bytes at a time, and the last bytes (or a field shorter than eight) in two loads that may overlap,
    /// never a byte at a time: most fields are a few bytes long, and the byte loop over their tail had been a fifth of
    /// the CSV reader's packing (perf; the reader now gathers that check as it packs, in C: `erpwms_pack_fields`).
    @inlinable
    public static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let n = bytes.count
        let raw = UnsafeRawPointer(base)
        if n >= 8 {
            var i = 0
            while i + 8 <= n {
                if raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
                i += 8
            }
            return i == n || raw.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self) & 0x8080_8080_8080_8080 == 0
        }
        if n >= 4 {
            return (raw.loadUnaligned(as: UInt32.self) | raw.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self))
                & 0x8080_8080 == 0
        }
        if n >= 2 {
            return (raw.loadUnaligned(as: UInt16.self) | raw.loadUnaligned(fromByteOffset: n - 2, as: UInt16.self))
                & 0x8080 == 0
        }
        return n == 0 || base[0] < 0x80
    }
}

extension String {
    /// Calls `body` with the String's UTF-8 bytes, borrowing them. `withUTF8` is `mutating` (it may make a
    /// bridged string native), so calling it on a `let` means a copy: a retain and a release for every field
    /// on the hot paths. A native String always has contiguous UTF-8 (a small one is copied to the stack).
    @inlinable @inline(__always)
    public func withUTF8Bytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        if let r = try utf8.withContiguousStorageIfAvailable(body) { return r }
        var copy = self
        return try copy.withUTF8(body)
    }
}
