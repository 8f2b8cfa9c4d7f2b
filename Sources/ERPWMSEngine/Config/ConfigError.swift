/// A configuration problem: names the file, the key path and the line, and says what is allowed.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var key: String
    public var line: Int?
    public var message: String

    public init(file: String, key: String, line: Int?, message: String) {
        self.file = file
        self.key = key
        self.line = line
        self.message = message
    }

    public var description: String {
        let where_ = line.map { "\(file):\($0)" } ?? file
        return key.isEmpty ? "\(where_): \(message)" : "\(where_): \(key): \(message)"
    }
}
