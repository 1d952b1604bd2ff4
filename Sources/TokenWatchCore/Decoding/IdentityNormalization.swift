import Foundation

/// How user, agent, parent and team ids are made comparable, so that one person is one subject however a
/// publisher spells them: "José" in NFC and NFD, `carol`, `Carol`, `carol ` and fullwidth `ｃａｒｏｌ` are
/// the same id.
///
/// Applied by the decoder when `events.normalize_identities` is on (the default): Unicode compatibility
/// normalisation (NFKC, which also maps fullwidth and other compatibility forms), then lower case, then
/// leading and trailing white space removed. Ids that are already lower-case ASCII without surrounding space,
/// nearly all of them, are left as they are without any allocation.
///
/// ``label(_:)`` is the same folding with invisible characters removed first, for `forward`'s Alertmanager
/// labels.
package enum IdentityNormalization {
    package static func normalized(_ id: String) -> String {
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

    /// An id as an Alertmanager label: invisible characters removed (Unicode general categories Cc and Cf: C0
    /// and C1 controls, bidirectional controls, zero-width spaces and joiners, the byte order mark, tag
    /// characters), then folded as ``normalized(_:)`` folds it. A label is what a silence matches and what a
    /// notification shows, so one that shows `mallory` must be `mallory`, and the daemon's ids are already
    /// folded so when `events.normalize_identities` is on.
    package static func label(_ id: String) -> String {
        guard id.unicodeScalars.contains(where: isInvisible) else { return normalized(id) }
        var visible = String.UnicodeScalarView()
        visible.append(contentsOf: id.unicodeScalars.lazy.filter { !isInvisible($0) })
        return normalized(String(visible))
    }

    private static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format: true
        default: false
        }
    }
}
