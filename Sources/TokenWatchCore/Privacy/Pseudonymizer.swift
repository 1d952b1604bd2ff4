import Crypto

/// Keyed pseudonyms for user ids: `p-` and the first 16 hex digits of HMAC-SHA256(key, user id).
///
/// The same key gives the same pseudonym in every process and replica, so alert ids stay deterministic and
/// consumers can correlate; without the key a pseudonym cannot be turned back into a user id, nor checked
/// against a guess (a plain hash could be, by hashing the staff list).
struct Pseudonymizer: Sendable {
    private let key: SymmetricKey
    private var cache: [String: String] = [:]
    private static let cacheLimit = 100_000

    init(key: [UInt8]) {
        self.key = SymmetricKey(data: key)
    }

    mutating func pseudonym(for user: String) -> String {
        if let known = cache[user] { return known }
        let code = HMAC<SHA256>.authenticationCode(for: Array(user.utf8), using: key)
        let hex = code.prefix(8).map { byte in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }.joined()
        let pseudonym = "p-" + hex
        if cache.count >= Self.cacheLimit { cache.removeAll(keepingCapacity: true) }
        cache[user] = pseudonym
        return pseudonym
    }
}
