/// A figure in an alert's `observed` or `threshold` object.
public enum AlertFigure: Sendable, Equatable, Codable {
    case integer(Int64)
    case number(Double)
    case text(String)
    case list([String])
}
