@testable import TokenWatchCore

/// The prompt fingerprint stated in Swift, for tests only: the independent reference that the shipped pass
/// (`CPromptFingerprint`) must match value for value, since fingerprints feed the detectors and are kept in
/// checkpoints.
enum ReferencePromptFingerprint {
    static func fingerprint(_ text: UnsafeRawBufferPointer) -> PromptFingerprint {
        // A word takes at least one byte and a separator: at most (count + 1) / 2 words, and one shingle per
        // word and per pair of neighbours.
        let maxWords = (text.count + 1) / 2 + 1
        return withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 2 * maxWords) { buffer in
            var words = WordHasher(shingles: buffer)
            let count = text.count
            var i = 0
            while i < count {
                let byte = text[i]
                // Most bytes are ASCII or plain UTF-8; only the lead bytes of look-alike letters (Greek and
                // Cyrillic: 0xCE–0xD1) and of fullwidth forms (0xEF) look ahead.
                if byte < 0xCE || (byte > 0xD1 && byte != 0xEF) {
                    words.add(byte)
                    i &+= 1
                } else {
                    i = words.addLookAlike(text, at: i)
                }
            }
            words.endWord()
            return PromptFingerprint(
                exact: words.exact,
                shingles: sketch(of: UnsafeMutableBufferPointer(rebasing: buffer[..<words.filled])),
                wordCount: words.count)
        }
    }

    /// Splits normalised bytes into words and folds each, as it ends, into the exact hash and the shingles
    /// (each word, and each pair of neighbours).
    private struct WordHasher {
        let shingles: UnsafeMutableBufferPointer<UInt32>
        var filled = 0
        var count = 0
        var exact = FNV1a.offsetBasis
        private var previous: UInt64 = 0
        private var hash = FNV1a.offsetBasis
        private var inWord = false
        private var hasDigit = false

        init(shingles: UnsafeMutableBufferPointer<UInt32>) { self.shingles = shingles }

        /// Letters (ASCII ones in lower case), digits and the bytes of other characters make words; anything
        /// else ends one.
        mutating func add(_ first: UInt8, _ second: UInt8) {
            add(first)
            add(second)
        }

        mutating func add(_ first: UInt8, _ second: UInt8, _ third: UInt8) {
            add(first)
            add(second)
            add(third)
        }

        /// Adds the character whose lead byte (0xCE–0xD1 or 0xEF) is at `start`, folding look-alike letters of
        /// other scripts and fullwidth forms to ASCII (see ``Confusables``); returns where the next one starts.
        /// Bytes that do not complete such a character are added as they are, the next one included: a
        /// truncated or malformed sequence still makes the same words every time.
        mutating func addLookAlike(_ text: UnsafeRawBufferPointer, at start: Int) -> Int {
            let lead = text[start]
            guard start + 1 < text.count else {
                add(lead)
                return start + 1
            }
            let second = text[start + 1]
            guard lead == 0xEF else {
                let latin = Confusables.latin(lead: lead, trail: second)
                if latin != 0 { add(latin) } else { add(lead, second) }
                return start + 2
            }
            guard second == 0xBC || second == 0xBD else {
                add(lead, second)
                return start + 2
            }
            guard start + 2 < text.count else {
                add(lead, second)
                return start + 2
            }
            let third = text[start + 2]
            let ascii = Confusables.ascii(fullwidthSecond: second, third: third)
            if ascii != 0 { add(ascii) } else { add(lead, second, third) }
            return start + 3
        }

        mutating func add(_ byte: UInt8) {
            let isUpper = byte >= 65 && byte <= 90
            let isLower = byte >= 97 && byte <= 122
            let isDigit = byte >= 48 && byte <= 57
            guard isUpper || isLower || isDigit || byte >= 0x80 else {
                endWord()
                return
            }
            hasDigit = hasDigit || isDigit
            hash = FNV1a.add(isUpper ? byte + 32 : byte, to: hash)
            inWord = true
        }

        mutating func endWord() {
            if inWord {
                let word = hasDigit ? ReferencePromptFingerprint.numberToken : hash
                exact = FNV1a.mix(exact, word)
                shingles[filled] = UInt32(truncatingIfNeeded: ReferencePromptFingerprint.finalize(word))
                filled += 1
                if count > 0 {
                    shingles[filled] = UInt32(
                        truncatingIfNeeded: ReferencePromptFingerprint.finalize(FNV1a.mix(previous, word)))
                    filled += 1
                }
                previous = word
                count += 1
            }
            inWord = false
            hasDigit = false
            hash = FNV1a.offsetBasis
        }
    }

    /// The exact hash of a prompt known only by an opaque hash.
    static func exact(opaqueHash: String) -> UInt64 {
        var hash = FNV1a.offsetBasis
        for byte in opaqueHash.utf8 { hash = FNV1a.add(byte, to: hash) }
        return FNV1a.add(0xFF, to: hash)
    }

    fileprivate static let numberToken: UInt64 = 0x9E37_79B9_7F4A_7C15

    /// The bottom-k sketch of `shingles`: the smallest ``sketchSize`` distinct values, in order. Sorts in place.
    fileprivate static func sketch(of shingles: UnsafeMutableBufferPointer<UInt32>) -> [UInt32] {
        var sorted = shingles
        if sorted.count <= 96 {
            // Prompts of usual length: an insertion sort beats the library's general-purpose stable sort.
            for i in 1..<max(sorted.count, 1) {
                let value = sorted[i]
                var j = i
                while j > 0 && sorted[j - 1] > value {
                    sorted[j] = sorted[j - 1]
                    j -= 1
                }
                sorted[j] = value
            }
        } else {
            sorted.sort()
        }
        var unique: [UInt32] = []
        unique.reserveCapacity(min(sorted.count, PromptFingerprint.sketchSize))
        for value in sorted where unique.last != value {
            unique.append(value)
            if unique.count == PromptFingerprint.sketchSize { break }
        }
        return unique
    }

    /// A well-spread 64-bit finaliser (splitmix64), so that the bottom-k sample is uniform.
    fileprivate static func finalize(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

}

/// Letters of other scripts that look like Latin ones, folded to them before a prompt is hashed, so that a
/// repeat written with a Cyrillic `а` or a Greek `ο` in place of the Latin letter (or in fullwidth forms)
/// is still the same prompt.
///
/// Only look-alikes are folded (Cyrillic `р` is Latin `p`, not `r`): text really written in those scripts
/// keeps its words apart from each other, which is all that matching needs.
enum Confusables {
    /// The lower-case ASCII letter a two-byte UTF-8 character (Greek and Cyrillic blocks, lead byte
    /// `0xCE`–`0xD1`) looks like, or 0.
    static func latin(lead: UInt8, trail: UInt8) -> UInt8 {
        let scalar = (UInt32(lead & 0x1F) << 6) | UInt32(trail & 0x3F)
        switch scalar {
        // Cyrillic capitals and small letters
        case 0x0410, 0x0430: return UInt8(ascii: "a")
        case 0x0412, 0x0432: return UInt8(ascii: "b")
        case 0x0415, 0x0435, 0x0401, 0x0451: return UInt8(ascii: "e")
        case 0x041A, 0x043A: return UInt8(ascii: "k")
        case 0x041C, 0x043C: return UInt8(ascii: "m")
        case 0x041D, 0x043D: return UInt8(ascii: "h")
        case 0x041E, 0x043E: return UInt8(ascii: "o")
        case 0x0420, 0x0440: return UInt8(ascii: "p")
        case 0x0421, 0x0441: return UInt8(ascii: "c")
        case 0x0422, 0x0442: return UInt8(ascii: "t")
        case 0x0423, 0x0443: return UInt8(ascii: "y")
        case 0x0425, 0x0445: return UInt8(ascii: "x")
        case 0x0405, 0x0455: return UInt8(ascii: "s")
        case 0x0406, 0x0456: return UInt8(ascii: "i")
        case 0x0408, 0x0458: return UInt8(ascii: "j")
        // Greek capitals and small letters
        case 0x0391, 0x03B1: return UInt8(ascii: "a")
        case 0x0392, 0x03B2: return UInt8(ascii: "b")
        case 0x0395, 0x03B5: return UInt8(ascii: "e")
        case 0x0396: return UInt8(ascii: "z")
        case 0x0397: return UInt8(ascii: "h")
        case 0x0399, 0x03B9: return UInt8(ascii: "i")
        case 0x039A, 0x03BA: return UInt8(ascii: "k")
        case 0x039C: return UInt8(ascii: "m")
        case 0x039D, 0x03BD: return UInt8(ascii: "n")
        case 0x039F, 0x03BF: return UInt8(ascii: "o")
        case 0x03A1, 0x03C1: return UInt8(ascii: "p")
        case 0x03A4, 0x03C4: return UInt8(ascii: "t")
        case 0x03A5, 0x03C5: return UInt8(ascii: "y")
        case 0x03A7, 0x03C7: return UInt8(ascii: "x")
        default: return 0
        }
    }

    /// The ASCII character a three-byte fullwidth form (`U+FF01`–`U+FF5E`, `EF BC xx` and `EF BD xx`)
    /// stands for, or 0.
    static func ascii(fullwidthSecond second: UInt8, third: UInt8) -> UInt8 {
        let scalar = 0xF000 | (UInt32(second & 0x3F) << 6) | UInt32(third & 0x3F)
        guard scalar >= 0xFF01 && scalar <= 0xFF5E else { return 0 }
        return UInt8(scalar - 0xFEE0)
    }
}
