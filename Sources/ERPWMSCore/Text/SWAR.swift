/// Eight bytes at a time ("SIMD within a register"), for the scans that run over every field of every order: a
/// word holding no byte of interest is passed over whole. Words are loaded in the machine's byte order, which must
/// be little-endian (the first byte in memory is the lowest), so that the lowest flagged byte is the first.
#if !_endian(little)
#error("SWAR scans assume a little-endian machine")
#endif
public enum SWAR {
    @inlinable @inline(__always)
    public static func broadcast(_ b: UInt8) -> UInt64 { UInt64(b) &* 0x0101_0101_0101_0101 }

    /// The high bit of each zero byte of `x`. The lowest set bit marks the first zero byte exactly; bits above it may
    /// be false positives from the borrow, so callers use the first, or the whole mask only as "maybe".
    @inlinable @inline(__always)
    public static func zeroBytes(_ x: UInt64) -> UInt64 {
        (x &- 0x0101_0101_0101_0101) & ~x & 0x8080_8080_8080_8080
    }

    /// The high bit of each byte of `x` below `n` (`n` at most 0x80), exact for the lowest as `zeroBytes` is.
    @inlinable @inline(__always)
    public static func bytesBelow(_ x: UInt64, _ n: UInt8) -> UInt64 {
        (x &- broadcast(n)) & ~x & 0x8080_8080_8080_8080
    }

    /// The offset (0...7) of the first byte flagged in a nonzero `mask`.
    @inlinable @inline(__always)
    public static func first(_ mask: UInt64) -> Int { mask.trailingZeroBitCount >> 3 }
}
