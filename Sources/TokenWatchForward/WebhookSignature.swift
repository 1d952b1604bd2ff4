import Crypto
import Foundation

/// `X-TokenWatch-Signature: sha256=<hex>`: HMAC-SHA256 of the exact body with the receiver's key, the
/// scheme GitHub's and Stripe's webhooks made familiar. A receiver recomputes it over the bytes it got and
/// compares in constant time.
package enum WebhookSignature {
    package static let header = "X-TokenWatch-Signature"

    package static func value(body: [UInt8], key: [UInt8]) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: key))
        return "sha256="
            + code.map { byte in
                let hex = String(byte, radix: 16)
                return byte < 16 ? "0" + hex : hex
            }.joined()
    }

    /// The key in a secret file, without surrounding white space; `nil` if unreadable or empty.
    package static func key(file: String) -> [UInt8]? {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return nil }
        let key = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return key.isEmpty ? nil : Array(key.utf8)
    }
}
