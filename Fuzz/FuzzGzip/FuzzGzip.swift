// libFuzzer target: the streaming gzip reader with small limits (bombs, truncation, corrupt members).
import ERPWMSFormats

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let limits = InputLimits(maxDecompressedBytes: 1 << 20, maxCompressionRatio: 50)
    guard let gz = try? GzipByteSource(MemoryByteSource(bytes), limits: limits) else { return 0 }
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        guard let n = try? buffer.withUnsafeMutableBytes({ try gz.read(into: $0) }), n > 0 else { break }
    }
    return 0
}
