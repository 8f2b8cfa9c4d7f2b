internal import CLibXML2
import Foundation
import ERPWMSCore

/// One diagnostic libxml2 reported.
struct XMLDiagnostic {
    var isSchemaValidity: Bool
    var isWarning: Bool
    var line: Int
    var message: String
}

/// Process-wide libxml2 setup, done once: initialise the parser and install an external-entity loader
/// that refuses everything, so no document, DTD or schema can make the process read a file or the network.
enum LibXML {
    static let setUp: Void = {
        xmlInitParser()
        xmlSetExternalEntityLoader { _, _, _ in nil }
        xmlSetGenericErrorFunc(nil, nil)
    }()

    /// Hardened parse options: no network, no error printing. Never NOENT, DTDLOAD, DTDATTR, DTDVALID,
    /// XINCLUDE, HUGE or RECOVER (see TOOLCHAIN.md).
    static let readerOptions = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue
        | XML_PARSE_NOWARNING.rawValue)

    /// Replaces quoted values in libxml2 messages with `'…'`: a schema message may quote a customer's name.
    static func redact(_ message: String) -> String {
        var out = ""
        var inQuote = false
        for ch in message {
            if ch == "'" {
                if inQuote { out += "…'" }
                else { out += "'" }
                inQuote.toggle()
                continue
            }
            if !inQuote && ch != "\n" { out.append(ch) }
        }
        return out.trimmingCharacters(in: [" ", "."])
    }
}

/// The findings that fail an XML file as a whole for its structure, said the same way by every XML reader.
enum XMLRefusal {
    static func doctype(line: Int? = nil) -> FormatError {
        FormatError(rule: "xml.doctype.forbidden", message: "a DOCTYPE is not allowed: business documents need no DTD (XXE protection)",
                    location: SourceLocation(line: line))
    }

    static func entityDeclaration(line: Int?) -> FormatError {
        FormatError(rule: "xml.doctype.forbidden", message: "entity declarations are not allowed", location: SourceLocation(line: line))
    }

    static func entityReference(line: Int?) -> FormatError {
        FormatError(rule: "xml.entity.forbidden", message: "entity references are not allowed", location: SourceLocation(line: line))
    }

    static var tooManyAttributes: FormatError {
        FormatError(rule: "xml.attributes.too-many", message: "an element has more than \(IOContext.maxAttributes) attributes")
    }

    static func wrongRoot(_ name: String, expected: String, line: Int?) -> FormatError {
        FormatError(rule: "xml.root", message: "root element is <\(name)>, expected <\(expected)>", location: SourceLocation(line: line))
    }

    static func notARecord(_ name: String, root: String, record: String, line: Int?) -> FormatError {
        FormatError(rule: "xml.schema", message: "<\(name)> is not allowed in <\(root)>; only <\(record)>", location: SourceLocation(line: line))
    }

    static func textBetweenRecords(_ record: String, line: Int?) -> FormatError {
        FormatError(rule: "xml.schema", message: "text is not allowed between <\(record)> elements", location: SourceLocation(line: line))
    }

    static var noRoot: FormatError {
        FormatError(rule: "xml.malformed", message: "the document has no root element")
    }

    static func textTooLong(limit: Int, line: Int?) -> FormatError {
        FormatError(rule: "xml.text.too-long", message: "a text node is longer than \(limit) bytes", location: SourceLocation(line: line))
    }

    static func invalidUTF8(line: Int?) -> FormatError {
        FormatError(rule: "encoding.invalid-utf8", message: "text is not valid UTF-8", location: SourceLocation(line: line))
    }

    /// Not well-formed, with libxml2's error (redacted) and line when it gave them.
    static func malformed(_ error: xmlErrorPtr?) -> FormatError {
        malformed(message: error?.pointee.message.map { LibXML.redact(String(cString: $0)) },
                  line: error.map { Int($0.pointee.line) })
    }

    /// Not well-formed, with an already redacted message and a line (0 or nil: none) when known.
    static func malformed(message: String?, line: Int?) -> FormatError {
        FormatError(rule: "xml.malformed", message: message ?? "the document is not well-formed XML",
                    location: SourceLocation(line: (line ?? 0) > 0 ? line : nil))
    }
}

/// Values by libxml2's interned element and attribute names. The parser's dictionary keeps each name at one
/// address for the parser's life, so a name is found by its pointer in a small open-addressed table instead of
/// being made into a String and hashed for every element. Only names the dictionary owns are kept, and the
/// table stays at most half full, so a probe always ends at an empty slot.
struct InternedNameTable<Value> {
    private static var slotCount: Int { 512 }
    private var keys = [UnsafeRawPointer?](repeating: nil, count: slotCount)
    private var values = [Value?](repeating: nil, count: slotCount)
    private var used = 0

    /// The value for `name`, made by `make` (from the name as a String) the first time.
    mutating func value(_ name: UnsafePointer<xmlChar>, dict: xmlDictPtr?, make: (String) -> Value) -> Value {
        let key = UnsafeRawPointer(name)
        var i = (Int(bitPattern: key) >> 4) & (Self.slotCount - 1)
        while let k = keys[i] {
            if k == key { return values[i]! }
            i = (i + 1) & (Self.slotCount - 1)
        }
        let v = make(String(cString: name))
        if used < Self.slotCount / 2, let dict, xmlDictOwns(dict, name) == 1 {
            keys[i] = key
            values[i] = v
            used += 1
        }
        return v
    }
}

/// A compiled XSD from `EmbeddedSchemas`, shared read-only across parses.
final class CompiledSchema: @unchecked Sendable {
    let pointer: xmlSchemaPtr

    private init(pointer: xmlSchemaPtr) { self.pointer = pointer }

    private static let lock = NSLockLike()
    nonisolated(unsafe) private static var cache: [String: CompiledSchema] = [:]

    /// The schema `name` (`wms-shipment-order.xsd`), compiled on first use.
    static func named(_ name: String) throws -> CompiledSchema {
        _ = LibXML.setUp
        return try lock.withLock {
            if let s = cache[name] { return s }
            guard let text = EmbeddedSchemas.files[name] else {
                throw FormatError(rule: "xml.schema.missing", message: "no embedded schema \(name)")
            }
            let bytes = Array(text.utf8)
            let schema: xmlSchemaPtr? = bytes.withUnsafeBufferPointer { buf in
                buf.withMemoryRebound(to: CChar.self) { cbuf in
                    guard let ctxt = xmlSchemaNewMemParserCtxt(cbuf.baseAddress, Int32(cbuf.count)) else { return nil }
                    defer { xmlSchemaFreeParserCtxt(ctxt) }
                    return xmlSchemaParse(ctxt)
                }
            }
            guard let schema else {
                throw FormatError(rule: "xml.schema.invalid", message: "embedded schema \(name) does not compile")
            }
            let compiled = CompiledSchema(pointer: schema)
            cache[name] = compiled
            return compiled
        }
    }
}

/// A tiny mutex over pthread, so this module needs nothing from Foundation's threading.
final class NSLockLike: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    init() { pthread_mutex_init(&mutex, nil) }
    deinit { pthread_mutex_destroy(&mutex) }
    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return try body()
    }
}

/// An element expanded from the stream: name, line, its own text (text and CDATA children, concatenated,
/// as UTF-8 bytes) and its child elements.
struct XMLElementNode {
    var name: String
    var line: Int
    var text: [UInt8]
    var children: [XMLElementNode]
    var attributes: [String: String] = [:]

    /// The element's text as a String (libxml2 hands out UTF-8).
    var string: String { String(decoding: text, as: UTF8.self) }

    func child(_ name: String) -> XMLElementNode? { children.first { $0.name == name } }
}

/// What the read callback shares with libxml2: the source, its error, the diagnostics, and the guards that
/// watch the raw bytes before libxml2 parses them.
final class IOContext {
    let source: ByteSource
    var error: Error?
    var diagnostics: [XMLDiagnostic] = []
    /// For a whole-document validation: the first well-formedness error, and how many diagnostics to keep.
    var fatal: XMLDiagnostic?
    var limit = Int.max
    /// Whether a read fills libxml2's buffer completely (up to the end of the source): see `readCallback`.
    var fillBuffers = false
    /// Watches the prolog for `<!DOCTYPE` until the root element starts, so that a DTD is refused
    /// before libxml2 parses any of it (entity declarations included).
    var prologDone = false
    var window: [UInt8] = []
    init(source: ByteSource) { self.source = source }

    static let doctype = Array("<!DOCTYPE".utf8)

    /// Attribute guard: libxml2 takes quadratic time on elements with tens of thousands of attributes
    /// (29 s for 50,000 in 539 KB, see TOOLCHAIN.md), so the bytes are watched as they stream in and an
    /// element with more than `maxAttributes` is refused before libxml2 sees it.
    static let maxAttributes = 256
    var inTag = false
    var quote: UInt8 = 0
    var attributes = 0
    /// Off only for documents our own writers produced (the published outputs' check): their elements have a
    /// handful of attributes by construction, and the scan, even eight bytes at a time, costs 6 % of that check
    /// (2 % of a whole run's instructions).
    var watchAttributes = true

    /// Watches start tags in `bytes`; returns false when one has too many attributes. (Runs over every byte of
    /// every XML input, so the state lives in locals for the loop: a stored property of a class costs an
    /// exclusivity check per access.)
    func scanTags(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let start = bytes.baseAddress else { return true }
        var inTag = self.inTag, quote = self.quote, attributes = self.attributes
        defer {
            self.inTag = inTag
            self.quote = quote
            self.attributes = attributes
        }
        let base = start.assumingMemoryBound(to: UInt8.self)
        let n = bytes.count
        var i = 0
        // Text and attribute values are skipped with memchr; the inside of tags is scanned eight bytes at a time.
        while i < n {
            if quote != 0 {
                guard let p = memchr(base + i, Int32(quote), n - i) else { return true }
                i = UnsafeRawPointer(p) - start + 1
                quote = 0
            } else if !inTag {
                guard let p = memchr(base + i, Int32(UInt8(ascii: "<")), n - i) else { return true }
                i = UnsafeRawPointer(p) - start + 1
                inTag = true
                attributes = 0
            } else {
                // Inside a tag only quotes, `=` and `>` matter: found eight bytes at a time (about a tenth of the
                // reading thread of an XML input went to this loop byte by byte).
                var j = i
                var found = false
                while j + 8 <= n {
                    let word = UnsafeRawPointer(base + j).loadUnaligned(as: UInt64.self)  // little-endian: see SWAR
                    let hits = SWAR.zeroBytes(word ^ Self.quotes) | SWAR.zeroBytes(word ^ Self.apostrophes)
                        | SWAR.zeroBytes(word ^ Self.equals) | SWAR.zeroBytes(word ^ Self.closes)
                    if hits != 0 {
                        j += SWAR.first(hits)
                        found = true
                        break
                    }
                    j += 8
                }
                if !found {
                    while j < n && !Self.isTagSpecial(base[j]) { j += 1 }
                    if j == n {
                        i = n
                        continue
                    }
                }
                let b = base[j]
                i = j + 1
                switch b {
                case UInt8(ascii: "\""), UInt8(ascii: "'"): quote = b
                case UInt8(ascii: "="):
                    attributes += 1
                    if attributes > Self.maxAttributes { return false }
                default: inTag = false  // ">"
                }
            }
        }
        return true
    }

    private static let quotes = SWAR.broadcast(UInt8(ascii: "\""))
    private static let apostrophes = SWAR.broadcast(UInt8(ascii: "'"))
    private static let equals = SWAR.broadcast(UInt8(ascii: "="))
    private static let closes = SWAR.broadcast(UInt8(ascii: ">"))

    @inline(__always)
    private static func isTagSpecial(_ b: UInt8) -> Bool {
        b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") || b == UInt8(ascii: "=") || b == UInt8(ascii: ">")
    }

    /// Scans `bytes` of the prolog; returns false when a DOCTYPE starts.
    func scanProlog(_ bytes: UnsafeRawBufferPointer) -> Bool {
        for b in bytes {
            if let last = window.last, last == UInt8(ascii: "<"),
               (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == UInt8(ascii: "_") || b >= 0x80 {
                prologDone = true
                return true
            }
            window.append(b)
            if window.count > Self.doctype.count { window.removeFirst() }
            if window.count == Self.doctype.count && window.elementsEqual(Self.doctype) { return false }
        }
        return true
    }

    /// Runs the byte guards over the next bytes of the input: the refusal, or nil when they may be parsed.
    func guardBytes(_ chunk: UnsafeRawBufferPointer) -> FormatError? {
        if !prologDone && !scanProlog(chunk) { return XMLRefusal.doctype() }
        if watchAttributes && !scanTags(chunk) { return XMLRefusal.tooManyAttributes }
        return nil
    }

    /// Reads from the source for libxml2, refusing a DOCTYPE or an element with too many attributes on the way.
    static let readCallback: xmlInputReadCallback = { ctx, buffer, len in
        let io = Unmanaged<IOContext>.fromOpaque(ctx!).takeUnretainedValue()
        do {
            let target = UnsafeMutableRawBufferPointer(start: buffer, count: Int(len))
            var n = try io.source.read(into: target)
            // libxml2's pull parser (the stream validation) takes a short read mid-declaration for the end of the
            // input, so that path gets full buffers: it waits for the rest of the requested bytes or the end.
            while io.fillBuffers && n > 0 && n < target.count {
                let more = try io.source.read(into: UnsafeMutableRawBufferPointer(rebasing: target[n...]))
                if more == 0 { break }
                n += more
            }
            let chunk = UnsafeRawBufferPointer(start: buffer, count: n)
            if let refusal = io.guardBytes(chunk) {
                io.error = refusal
                return -1
            }
            return Int32(n)
        } catch {
            io.error = error
            return -1
        }
    }
}

/// Validates a whole document against an XSD with libxml2's SAX-plugged validator (`xmlSchemaValidateStream`):
/// no reader and no node object per element. On a 30 MB shipment-order file it takes 0.53 s where
/// `xmllint --stream --schema` takes 0.67 s and our reader loop took 0.9 s; the published outputs are checked
/// this way, on the second core. The same guards as `XMLStream` watch the bytes (no DOCTYPE, bounded attributes;
/// our own outputs skip the attribute guard, see `ownOutput`).
enum XMLStreamValidation {
    struct Outcome {
        var valid: Bool
        /// Schema errors (the first `limit`), in document order.
        var errors: [XMLDiagnostic]
    }

    /// Throws a source error, a guard's error, or `xml.malformed` when the document is not well-formed.
    /// `ownOutput`: the document comes from one of our writers, so the attribute guard (there against hostile
    /// inputs) is skipped; the DOCTYPE guard still runs.
    static func validate(_ source: ByteSource, schema: CompiledSchema, limit: Int, ownOutput: Bool = false) throws -> Outcome {
        _ = LibXML.setUp
        let context = IOContext(source: source)
        context.watchAttributes = !ownOutput
        context.limit = limit
        context.fillBuffers = true
        let pointer = Unmanaged.passRetained(context).toOpaque()
        defer { Unmanaged<IOContext>.fromOpaque(pointer).release() }
        guard let v = xmlSchemaNewValidCtxt(schema.pointer) else {
            throw FormatError(rule: "xml.schema.attach", message: "libxml2 could not create a validation context")
        }
        defer { xmlSchemaFreeValidCtxt(v) }
        xmlSchemaSetValidStructuredErrors(v, handler, pointer)
        // The parser's own errors (well-formedness) go to this thread's structured handler.
        xmlSetStructuredErrorFunc(pointer, handler)
        defer { xmlSetStructuredErrorFunc(nil, nil) }
        // The input buffer is owned, and freed, by the validation.
        guard let input = xmlParserInputBufferCreateIO(IOContext.readCallback, nil, pointer, XML_CHAR_ENCODING_NONE) else {
            throw FormatError(rule: "xml.reader", message: "libxml2 could not create an input buffer")
        }
        let rc = xmlSchemaValidateStream(v, input, XML_CHAR_ENCODING_NONE, nil, nil)
        if let e = context.error { throw e }
        if let fatal = context.fatal { throw XMLRefusal.malformed(message: fatal.message, line: fatal.line) }
        if rc < 0 && context.diagnostics.isEmpty { throw XMLRefusal.malformed(message: nil, line: nil) }
        return Outcome(valid: rc == 0, errors: context.diagnostics.filter { !$0.isWarning })
    }

    private static let handler: xmlStructuredErrorFunc = { arg, error in
        guard let arg, let error else { return }
        let io = Unmanaged<IOContext>.fromOpaque(arg).takeUnretainedValue()
        let e = error.pointee
        let message = LibXML.redact(e.message.map { String(cString: $0) } ?? "error \(e.code)")
        let d = XMLDiagnostic(isSchemaValidity: e.domain == Int32(XML_FROM_SCHEMASV.rawValue), isWarning: e.level == XML_ERR_WARNING,
                              line: Int(e.line), message: message)
        // Fatal: not well-formed. Errors (schema validity, namespaces) make the document invalid; warnings are
        // neither and take no place among the `limit` kept.
        if e.level == XML_ERR_FATAL {
            if io.fatal == nil { io.fatal = d }
        } else if !d.isWarning && io.diagnostics.count < io.limit {
            io.diagnostics.append(d)
        }
    }
}

/// A streaming libxml2 `xmlTextReader` over a `ByteSource`, optionally validating against an XSD as it
/// reads. No C type leaves this file.
final class XMLStream {
    enum NodeType: Int32 {
        case element = 1, text = 3, cdata = 4, entityReference = 5, processingInstruction = 7, comment = 8,
             documentType = 10, whitespace = 13, significantWhitespace = 14, endElement = 15, other = -1
    }

    private let reader: xmlTextReaderPtr
    private let validCtxt: xmlSchemaValidCtxtPtr?
    private var elementValidator: xmlSchemaValidCtxtPtr?
    private let context: IOContext
    private let contextPointer: UnsafeMutableRawPointer

    init(source: ByteSource, schema: CompiledSchema?, encoding: String? = nil) throws {
        _ = LibXML.setUp
        context = IOContext(source: source)
        contextPointer = Unmanaged.passRetained(context).toOpaque()
        guard let r = xmlReaderForIO(IOContext.readCallback, nil, contextPointer, "input.xml", encoding, LibXML.readerOptions) else {
            Unmanaged<IOContext>.fromOpaque(contextPointer).release()
            throw FormatError(rule: "xml.reader", message: "libxml2 could not create a reader")
        }
        reader = r
        if let schema {
            // Schema errors go straight to our handler on our own validation context. (The reader's own
            // structured-error relay crashed libxml2 2.9.14 on a truncated document.)
            guard let v = xmlSchemaNewValidCtxt(schema.pointer) else {
                xmlFreeTextReader(reader)
                Unmanaged<IOContext>.fromOpaque(contextPointer).release()
                throw FormatError(rule: "xml.schema.attach", message: "libxml2 could not create a validation context")
            }
            validCtxt = v
            xmlSchemaSetValidStructuredErrors(v, Self.schemaErrorHandler, contextPointer)
            guard xmlTextReaderSchemaValidateCtxt(reader, v, 0) == 0 else {
                xmlFreeTextReader(reader)
                xmlSchemaFreeValidCtxt(v)
                Unmanaged<IOContext>.fromOpaque(contextPointer).release()
                throw FormatError(rule: "xml.schema.attach", message: "libxml2 could not attach the schema")
            }
        } else {
            validCtxt = nil
        }
        xmlResetLastError()
    }

    deinit {
        xmlFreeTextReader(reader)
        if let validCtxt { xmlSchemaFreeValidCtxt(validCtxt) }
        if let elementValidator { xmlSchemaFreeValidCtxt(elementValidator) }
        Unmanaged<IOContext>.fromOpaque(contextPointer).release()
    }

    /// Advances to the next node. Returns false at the end. Throws a source error (gzip, encoding) or
    /// `xml.malformed` with libxml2's (redacted) message and line.
    func read() throws -> Bool {
        let rc = xmlTextReaderRead(reader)
        if let e = context.error { throw e }
        if rc == 1 { return true }
        if rc == 0 { return false }
        if let e = xmlGetLastError(), e.pointee.domain != Int32(XML_FROM_SCHEMASV.rawValue) {
            let refusal = XMLRefusal.malformed(e)
            xmlResetLastError()
            throw refusal
        }
        let d = takeFatal()
        throw XMLRefusal.malformed(message: d?.message, line: d?.line)
    }

    /// Diagnostics collected since the last call (schema validity errors among them).
    func takeDiagnostics() -> [XMLDiagnostic] {
        defer { context.diagnostics.removeAll(keepingCapacity: true) }
        return context.diagnostics
    }

    private func takeFatal() -> XMLDiagnostic? {
        let all = takeDiagnostics()
        return all.first(where: { !$0.isSchemaValidity && !$0.isWarning }) ?? all.first
    }

    var nodeType: NodeType { NodeType(rawValue: xmlTextReaderNodeType(reader)) ?? .other }
    var depth: Int { Int(xmlTextReaderDepth(reader)) }
    var isEmptyElement: Bool { xmlTextReaderIsEmptyElement(reader) == 1 }
    /// Line of the current node (falls back to the parser's position).
    var line: Int {
        if let node = xmlTextReaderCurrentNode(reader) {
            let l = xmlGetLineNo(node)
            if l > 0 { return Int(l) }
        }
        return Int(xmlTextReaderGetParserLineNumber(reader))
    }

    /// Local name of the current node. libxml2 interns names, so this is cheap to compare.
    var localName: String {
        guard let p = xmlTextReaderConstLocalName(reader) else { return "" }
        return String(cString: p)
    }

    /// Appends the current text node's UTF-8 bytes to `buffer`.
    func appendValue(to buffer: inout [UInt8]) {
        guard let p = xmlTextReaderConstValue(reader) else { return }
        var q = p
        while q.pointee != 0 {
            buffer.append(q.pointee)
            q += 1
        }
    }

    /// Moves to the next node, unless a skip already put the reader there (`positioned`), and refuses a DOCTYPE
    /// or an entity reference on the spot. False at the end of the document. The record streams' one step.
    func step(positioned: inout Bool) throws -> Bool {
        if positioned {
            positioned = false
        } else if !(try read()) {
            return false
        }
        if nodeType == .documentType || nodeType == .entityReference { throw forbiddenNode() }
        return true
    }

    /// The error for a node business documents never have: a DOCTYPE or an entity reference.
    func forbiddenNode() -> FormatError {
        nodeType == .documentType ? XMLRefusal.doctype(line: line) : XMLRefusal.entityReference(line: line)
    }

    /// Moves to the next sibling, skipping the current node's subtree. Returns false at the end.
    func skipSubtree() throws -> Bool {
        let rc = xmlTextReaderNext(reader)
        if let e = context.error { throw e }
        if rc == 1 { return true }
        if rc == 0 { return false }
        return try read()  // surfaces the parse error
    }

    /// Expands the current element into a small tree (it is kept in memory only until the reader moves on)
    /// and, when `schema` is given, validates that element on its own against its global declaration.
    /// Schema errors come back as diagnostics of exactly this element.
    func expandCurrent(validatingWith schema: CompiledSchema?) throws -> (XMLElementNode, [XMLDiagnostic]) {
        guard let node = xmlTextReaderExpand(reader) else {
            if let e = context.error { throw e }
            _ = try read()
            throw XMLRefusal.malformed(message: nil, line: line)
        }
        var diagnostics: [XMLDiagnostic] = []
        if let schema {
            if elementValidator == nil {
                guard let v = xmlSchemaNewValidCtxt(schema.pointer) else {
                    throw FormatError(rule: "xml.schema.attach", message: "libxml2 could not create a validation context")
                }
                xmlSchemaSetValidStructuredErrors(v, Self.schemaErrorHandler, contextPointer)
                elementValidator = v
            }
            _ = takeDiagnostics()
            xmlSchemaValidateOneElement(elementValidator, node)
            diagnostics = takeDiagnostics()
        }
        return (tree(node), diagnostics)
    }

    fileprivate static let schemaErrorHandler: xmlStructuredErrorFunc = { arg, error in
        guard let arg, let error else { return }
        let io = Unmanaged<IOContext>.fromOpaque(arg).takeUnretainedValue()
        let e = error.pointee
        let message = e.message.map { String(cString: $0) } ?? "error \(e.code)"
        io.diagnostics.append(XMLDiagnostic(
            isSchemaValidity: true, isWarning: e.level == XML_ERR_WARNING, line: Int(e.line),
            message: LibXML.redact(message)))
    }

    /// Element and attribute names as Strings, by their interned pointers.
    private var names = InternedNameTable<String>()

    private func name(_ p: UnsafePointer<xmlChar>?, in dict: xmlDictPtr?) -> String {
        guard let p else { return "" }
        return names.value(p, dict: dict) { $0 }
    }

    /// Appends a node's C string content at once.
    private static func append(_ content: UnsafeMutablePointer<xmlChar>?, to bytes: inout [UInt8]) {
        guard let content else { return }
        let n = strlen(UnsafeRawPointer(content).assumingMemoryBound(to: CChar.self))
        bytes.append(contentsOf: UnsafeBufferPointer(start: content, count: n))
    }

    private func tree(_ node: xmlNodePtr) -> XMLElementNode {
        let dict = node.pointee.doc?.pointee.dict
        var result = XMLElementNode(name: name(node.pointee.name, in: dict), line: Int(xmlGetLineNo(node)), text: [], children: [])
        var attr = node.pointee.properties
        while let a = attr {
            var value: [UInt8] = []
            var t = a.pointee.children
            while let tn = t {
                Self.append(tn.pointee.content, to: &value)
                t = tn.pointee.next
            }
            if a.pointee.name != nil { result.attributes[name(a.pointee.name, in: dict)] = String(decoding: value, as: UTF8.self) }
            attr = a.pointee.next
        }
        var child = node.pointee.children
        while let c = child {
            switch c.pointee.type {
            case XML_ELEMENT_NODE:
                result.children.append(tree(c))
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                Self.append(c.pointee.content, to: &result.text)
            default:
                break
            }
            child = c.pointee.next
        }
        return result
    }

    /// Value of attribute `name` on the current element, if present.
    func attribute(_ name: String) -> String? {
        guard xmlTextReaderMoveToAttribute(reader, name) == 1 else { return nil }
        defer { xmlTextReaderMoveToElement(reader) }
        guard let p = xmlTextReaderConstValue(reader) else { return "" }
        return String(cString: p)
    }

    /// True when the document, as far as read, is valid against the schema.
    var isValid: Bool { xmlTextReaderIsValid(reader) == 1 }
}
