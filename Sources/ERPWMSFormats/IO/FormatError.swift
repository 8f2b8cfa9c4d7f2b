import ERPWMSCore

/// A problem that makes a whole input file unreadable (as opposed to a finding that rejects one order).
public struct FormatError: Error, Sendable, CustomStringConvertible {
    /// Stable rule id, e.g. `csv.quote.unterminated`, `xml.doctype.forbidden`, `gzip.ratio-limit`.
    public var rule: String
    public var message: String
    public var location: SourceLocation

    public init(rule: String, message: String, location: SourceLocation = .init()) {
        self.rule = rule
        self.message = message
        self.location = location
    }

    public var description: String {
        let loc = location.description
        return (loc.isEmpty ? "" : "\(loc): ") + "\(message) [\(rule)]"
    }

    /// As a finding about `file`.
    public func finding(file: String) -> Finding {
        Finding(rule: rule, message: message, file: file, location: location)
    }
}

/// Limits that keep a hostile file from costing unbounded time or memory.
public struct InputLimits: Sendable {
    /// Largest accepted input file on disk.
    public var maxFileBytes: Int64
    /// Largest accepted decompressed size of a gzip input.
    public var maxDecompressedBytes: Int64
    /// Largest accepted ratio decompressed/compressed (checked once past 1 MiB of output).
    public var maxCompressionRatio: Int64
    /// Longest accepted CSV field or XML text node, in bytes.
    public var maxFieldBytes: Int
    /// Longest accepted CSV record (all fields, including embedded newlines), in bytes.
    public var maxRecordBytes: Int

    public init(maxFileBytes: Int64 = 2 << 30, maxDecompressedBytes: Int64 = 4 << 30,
                maxCompressionRatio: Int64 = 200, maxFieldBytes: Int = 64 << 10, maxRecordBytes: Int = 1 << 20) {
        self.maxFileBytes = maxFileBytes
        self.maxDecompressedBytes = maxDecompressedBytes
        self.maxCompressionRatio = maxCompressionRatio
        self.maxFieldBytes = maxFieldBytes
        self.maxRecordBytes = maxRecordBytes
    }
}
