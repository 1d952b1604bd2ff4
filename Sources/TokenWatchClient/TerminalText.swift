/// Text from the event stream made safe for a terminal or a log line.
///
/// User ids, agent names and summaries come from publishers. Printed raw, an ESC or a CR-LF in one of them
/// could forge whole alert lines, retitle the terminal or hide text; bidirectional overrides could reorder
/// what is shown. Every such character is written as a visible escape (`\u{1B}`), and a backslash as `\\`,
/// so the printed text is unambiguous. JSON output is not passed through here: it escapes on its own.
public enum TerminalText {
    public static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var result = ""
        for scalar in text.unicodeScalars {
            if scalar == "\\" {
                result += "\\\\"
            } else if needsEscape(scalar) {
                result += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: true  // C0 and C1 controls, DEL
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true  // bidirectional controls
        case 0x5C: true  // the backslash itself, so that escapes cannot be faked
        default: false
        }
    }
}
