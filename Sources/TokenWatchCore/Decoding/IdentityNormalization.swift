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
        let plain = id.utf8.withContiguousStorageIfAvailable(isPlain) ?? isPlain(Array(id.utf8))
        if plain { return id }
        return id.precomposedStringWithCompatibilityMapping.lowercased().trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Lower-case ASCII without surrounding white space (and not empty): already normal. Read in place, since
    /// every id an event carries that the decoder has not seen recently comes here.
    private static func isPlain(_ bytes: some Collection<UInt8>) -> Bool {
        guard let first = bytes.first, !isSpace(first) else { return false }
        var last = first
        for byte in bytes {
            if byte >= 0x80 || (byte >= 65 && byte <= 90) { return false }
            last = byte
        }
        return !isSpace(last)
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == 32 || (byte >= 9 && byte <= 13) }
}
