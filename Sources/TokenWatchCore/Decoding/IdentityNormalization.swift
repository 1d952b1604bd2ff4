import Foundation

/// How user, agent, parent and team ids are made comparable, so that one person is one subject however a
/// publisher spells them: "José" in NFC and NFD, `carol`, `Carol`, `carol ` and fullwidth `ｃａｒｏｌ` are
/// the same id.
///
/// Applied by the decoder when `events.normalize_identities` is on (the default): Unicode compatibility
/// normalisation (NFKC, which also maps fullwidth and other compatibility forms), then lower case, then
/// leading and trailing white space removed. Ids that are already lower-case ASCII without surrounding space,
/// nearly all of them, are left as they are without any allocation.
enum IdentityNormalization {
    static func normalized(_ id: String) -> String {
        var plain = true
        for byte in id.utf8 where byte >= 0x80 || (byte >= 65 && byte <= 90) {
            plain = false
            break
        }
        if plain, let first = id.utf8.first, let last = id.utf8.last, !isSpace(first), !isSpace(last) { return id }
        return id.precomposedStringWithCompatibilityMapping.lowercased().trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == 32 || (byte >= 9 && byte <= 13) }
}
