/// Copies of a few bytes, inline. Fields are mostly 2 to 30 bytes, copied one at a time into the CSV parser's
/// record, short fields' Strings, the instruction writer's buffer, the content hash's buffer and the ledger's
/// text arena; through `memcpy` each paid a call and its dispatch on the size, whose branches a varying size
/// defeats.
public enum SmallCopy {
    /// Copies `count` bytes from `src` to `dst` (which do not overlap). Up to 32 bytes with two loads and two
    /// stores that may overlap each other (never reading or writing outside the `count` bytes), beyond with
    /// `memcpy`.
    @inlinable @inline(__always)
    public static func copy(to dst: UnsafeMutableRawPointer, from src: UnsafeRawPointer, count n: Int) {
        if n >= 8 {
            if n <= 16 {
                let a = src.loadUnaligned(as: UInt64.self)
                let b = src.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
                dst.storeBytes(of: a, as: UInt64.self)
                dst.storeBytes(of: b, toByteOffset: n - 8, as: UInt64.self)
            } else if n <= 32 {
                let a = src.loadUnaligned(as: SIMD16<UInt8>.self)
                let b = src.loadUnaligned(fromByteOffset: n - 16, as: SIMD16<UInt8>.self)
                dst.storeBytes(of: a, as: SIMD16<UInt8>.self)
                dst.storeBytes(of: b, toByteOffset: n - 16, as: SIMD16<UInt8>.self)
            } else {
                dst.copyMemory(from: src, byteCount: n)
            }
        } else if n >= 4 {
            let a = src.loadUnaligned(as: UInt32.self)
            let b = src.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)
            dst.storeBytes(of: a, as: UInt32.self)
            dst.storeBytes(of: b, toByteOffset: n - 4, as: UInt32.self)
        } else if n > 0 {
            // 1 to 3 bytes: the first, the middle and the last (some the same byte).
            dst.storeBytes(of: src.load(as: UInt8.self), as: UInt8.self)
            dst.storeBytes(of: src.load(fromByteOffset: n >> 1, as: UInt8.self), toByteOffset: n >> 1, as: UInt8.self)
            dst.storeBytes(of: src.load(fromByteOffset: n - 1, as: UInt8.self), toByteOffset: n - 1, as: UInt8.self)
        }
    }
}
