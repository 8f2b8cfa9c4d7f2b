import ERPWMSCore
import ERPWMSFormats

/// Opens the right decoder chain for a file of a channel: file -> gzip (by magic bytes) -> text encoding ->
/// CSV or XML reader. Shared by `run`, `reprocess` and `validate`.
enum Decoding {
    static func source(path: String, limits: InputLimits) throws -> ByteSource {
        var source: ByteSource = try FileByteSource(path: path)
        if try isGzip(path) { source = try GzipByteSource(source, limits: limits) }
        return source
    }

    static func orderReader(path: String, name: String, channel: Channel, limits: InputLimits) throws -> OrderReader {
        var s = try source(path: path, limits: limits)
        switch channel.format {
        case .csv:
            if channel.encoding != .utf8 { s = try TranscodingByteSource(s, from: channel.encoding) }
            return try CSVOrderReader(source: s, file: name, dialect: .init(delimiter: channel.delimiter, quote: channel.quote),
                                      limits: limits, mapping: channel.mapping, headerRow: channel.headerRow)
        case .xml:
            if let mapping = channel.mapping {
                return try MappedXMLOrderReader(source: s, file: name, mapping: mapping, encoding: channel.encoding, limits: limits)
            }
            return try XMLOrderReader(source: s, file: name, encoding: channel.encoding, limits: limits)
        }
    }

    static func confirmationReader(path: String, name: String, channel: Channel, limits: InputLimits) throws -> ConfirmationReader {
        var s = try source(path: path, limits: limits)
        switch channel.format {
        case .csv:
            if channel.encoding != .utf8 { s = try TranscodingByteSource(s, from: channel.encoding) }
            return try CSVConfirmationReader(source: s, file: name, dialect: .init(delimiter: channel.delimiter, quote: channel.quote),
                                             limits: limits)
        case .xml:
            return try XMLConfirmationReader(source: s, file: name, encoding: channel.encoding, limits: limits)
        }
    }

    static func isGzip(_ path: String) throws -> Bool {
        let s = try FileByteSource(path: path)
        var magic: [UInt8] = [0, 0]
        let n = try magic.withUnsafeMutableBytes { try s.read(into: $0) }
        return n == 2 && magic[0] == 0x1F && magic[1] == 0x8B
    }
}
