import Crypto
import Foundation

/// `X-TokenWatch-Signature: sha256=<hex>`: HMAC-SHA256 of the exact body (the bytes POSTed, nothing else: no
/// header, no time) under the bytes of the receiver's key file, the scheme GitHub's and Stripe's webhooks made
/// familiar. A receiver recomputes it over the bytes it got and compares in constant time.
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

    /// The key in a secret file: every byte of it, as it is, so that any bytes make a key (32 random ones from
    /// `head -c 32 /dev/urandom`, or text) and a receiver uses the same file unchanged. Nothing is trimmed:
    /// `echo s3cret-key > key` makes the 11-byte key `s3cret-key` and a newline (`printf %s` writes none).
    /// `nil` if unreadable or empty.
    package static func key(file: String) -> [UInt8]? {
        guard let data = FileManager.default.contents(atPath: file), !data.isEmpty else { return nil }
        return [UInt8](data)
    }
}
