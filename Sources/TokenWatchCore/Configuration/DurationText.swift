/// Parses durations written `90s`, `15m`, `1h`, `2d`, `500ms` or combined (`1h30m`).
public enum DurationText {
    public static func parse(_ text: String) -> Duration? {
        var total: Int64 = 0
        var digits = ""
        var unit = ""
        var parsedAny = false
        func flush() -> Bool {
            guard let value = Int64(digits) else { return false }
            let factor: Int64
            switch unit {
            case "ms": factor = 1
            case "s": factor = 1000
            case "m": factor = 60_000
            case "h": factor = 3_600_000
            case "d": factor = 86_400_000
            default: return false
            }
            total += value * factor
            digits = ""
            unit = ""
            parsedAny = true
            return true
        }
        for character in text {
            if character.isASCII && character.isNumber {
                if !unit.isEmpty { guard flush() else { return nil } }
                digits.append(character)
            } else if character.isLetter {
                guard !digits.isEmpty else { return nil }
                unit.append(character)
            } else {
                return nil
            }
        }
        guard !digits.isEmpty, flush(), parsedAny else { return nil }
        return .milliseconds(total)
    }

    /// The shortest text that ``parse(_:)`` reads back: `1h`, `15m`, `90s`.
    public static func format(_ duration: Duration) -> String {
        let ms = duration.milliseconds
        if ms % 86_400_000 == 0 { return "\(ms / 86_400_000)d" }
        if ms % 3_600_000 == 0 { return "\(ms / 3_600_000)h" }
        if ms % 60_000 == 0 { return "\(ms / 60_000)m" }
        if ms % 1000 == 0 { return "\(ms / 1000)s" }
        return "\(ms)ms"
    }
}
