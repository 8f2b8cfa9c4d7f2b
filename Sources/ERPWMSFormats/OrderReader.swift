import ERPWMSCore

/// Reads business documents (orders) one at a time from a stream. Codecs implement this.
public protocol OrderReader: AnyObject {
    /// The next order, or nil at the end of input. Throws `FormatError` when the file as a whole is
    /// unreadable (malformed XML, invalid encoding); problems within one order come back as its
    /// `codecFindings` instead.
    func next() throws -> RawOrder?
    /// Records read so far (CSV rows or XML `<order>` elements), for progress and summaries.
    var recordsRead: Int { get }
}

/// Order-level and line-level columns an input must have (in its header or as XML elements).
public enum RequiredColumns {
    public static let order: [OrderField] = [
        .orderId, .orderDate, .shipName, .shipAddress1, .shipCity, .shipPostcode, .shipCountry, .currency,
        .paymentMethod, .carrierService,
    ]
    public static let line: [LineField] = [.lineNo, .sku, .quantity, .unitPrice]
}
