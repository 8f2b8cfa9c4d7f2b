import ERPWMSCore

/// Validates a whole document against one of the embedded XSDs as a stream (memory flat in the size).
public enum XMLSchemaValidator {
    /// Every schema error in `source`, in document order. Empty means valid. Throws when the document is
    /// not well-formed or has a DOCTYPE (or, unless `ownOutput` says the document is one our writers produced,
    /// an element with too many attributes).
    public static func validate(_ source: ByteSource, schema name: String, limit: Int = 20, ownOutput: Bool = false) throws -> [FormatError] {
        let outcome = try XMLStreamValidation.validate(source, schema: try CompiledSchema.named(name), limit: limit, ownOutput: ownOutput)
        var errors = outcome.errors.map {
            FormatError(rule: "xml.schema", message: $0.message, location: SourceLocation(line: $0.line > 0 ? $0.line : nil))
        }
        if errors.isEmpty && !outcome.valid {
            errors.append(FormatError(rule: "xml.schema", message: "document is not valid against \(name)"))
        }
        return errors
    }
}
