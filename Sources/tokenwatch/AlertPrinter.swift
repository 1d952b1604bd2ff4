import Foundation
import TokenWatchClient

/// Prints alerts for a person reading a terminal: one line each, coloured by severity when standard output
/// is a terminal. Everything a publisher chose is escaped (``TerminalText``).
struct AlertPrinter {
    let colour = isatty(STDOUT_FILENO) == 1

    func line(for alert: ReceivedAlert) -> String {
        let state = alert.digest.state == .resolved ? "RESOLVED" : alert.severity.uppercased()
        var who: [String] = []
        if let user = alert.digest.user { who.append("user=\(user)") }
        if let agent = alert.digest.agent { who.append("agent=\(agent)") }
        let text = TerminalText.escaped(
            "\(alert.digest.time.rfc3339)  \(state.padding(toLength: 8, withPad: " ", startingAt: 0))  "
                + "\(alert.digest.detector.rawValue.padding(toLength: 18, withPad: " ", startingAt: 0)) "
                + "\(who.joined(separator: " "))  \(alert.summary)  [\(alert.id)]")
        guard colour else { return text }
        let code: String
        switch (alert.digest.state, alert.severity) {
        case (.resolved, _): code = "32"
        case (_, "critical"): code = "1;31"
        default: code = "33"
        }
        return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }

    func gapLine(topic: String, lost: UInt32) -> String {
        let text = "!! \(lost) alert\(lost == 1 ? "" : "s") lost on \(TerminalText.escaped(topic)) (sequence gap)"
        return colour ? "\u{1B}[1;35m\(text)\u{1B}[0m" : text
    }
}
