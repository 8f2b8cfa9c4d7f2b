import ERPWMSCore

/// Validates a whole document against one of the embedded XSDs as a stream (memory flat in the size).
public enum XMLSchemaValidator {
    /// Every schema error in `source`, in document order. Empty means valid. Throws when the document is
    /// not well-formed or has a DOCTYPE.
    public static func validate(_ source: ByteSource, schema name: String, limit: Int = 20) throws -> [FormatError] {
        let stream = try XMLStream(source: source, schema: try CompiledSchema.named(name))
        var errors: [FormatError] = []
        while try stream.read() {
            if stream.nodeType == .documentType {
                throw FormatError(rule: "xml.doctype.forbidden", message: "a DOCTYPE is not allowed",
                                  location: SourceLocation(line: stream.line))
            }
            for d in stream.takeDiagnostics() where !d.isWarning && errors.count < limit {
                errors.append(FormatError(rule: "xml.schema", message: d.message, location: SourceLocation(line: d.line)))
            }
        }
        for d in stream.takeDiagnostics() where !d.isWarning && errors.count < limit {
            errors.append(FormatError(rule: "xml.schema", message: d.message, location: SourceLocation(line: d.line)))
        }
        if errors.isEmpty && !stream.isValid {
            errors.append(FormatError(rule: "xml.schema", message: "document is not valid against \(name)"))
        }
        return errors
    }
}
