import Crypto

/// Keyed pseudonyms for personal data: where a person must match records (the same customer in several
/// rejects or report rows) without seeing who it is. HMAC-SHA256 with a key kept outside the workspace, so
/// a pseudonym cannot be reversed by hashing guesses (a plain hash could).
public struct Pseudonymizer: Sendable {
    private let key: [UInt8]

    /// `key`: at least 16 bytes.
    public init?(key: [UInt8]) {
        guard key.count >= 16 else { return nil }
        self.key = key
    }

    /// `cu_` + 16 hex digits of HMAC-SHA256(key, value); empty for an empty value.
    public func pseudonym(_ value: String) -> String {
        if value.isEmpty { return "" }
        let mac = HMAC<SHA256>.authenticationCode(for: Array(value.utf8), using: SymmetricKey(data: key))
        return "cu_" + ContentHash.hex(mac).prefix(16)
    }

    /// The customer of an order: its customer id, else name and postcode (cleaned), pseudonymised.
    public func customer(id: String, name: String, postcode: String) -> String {
        pseudonym(id.isEmpty ? (name.isEmpty ? "" : Clean.text(name) + "|" + Clean.code(postcode)) : Clean.code(id))
    }
}
