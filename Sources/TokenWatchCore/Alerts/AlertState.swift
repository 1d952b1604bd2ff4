/// Whether an alert opens (or repeats) an incident, or closes it.
public enum AlertState: String, Sendable, Codable {
    case firing, resolved
}
