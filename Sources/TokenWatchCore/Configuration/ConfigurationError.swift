/// Everything wrong with a configuration file, all at once, each with its place.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable, Equatable {
    public struct Issue: Sendable, Equatable, CustomStringConvertible {
        public var file: String
        /// 1-based; 0 when the place is unknown.
        public var line: Int
        public var column: Int
        /// Dotted key path, for example `detectors.agent_loop.window`.
        public var keyPath: String
        public var message: String

        public init(file: String, line: Int, column: Int, keyPath: String, message: String) {
            self.file = file
            self.line = line
            self.column = column
            self.keyPath = keyPath
            self.message = message
        }

        public var description: String {
            let place = line > 0 ? "\(file):\(line):\(column)" : file
            return keyPath.isEmpty ? "\(place): \(message)" : "\(place): \(keyPath): \(message)"
        }
    }

    public var issues: [Issue]

    public init(issues: [Issue]) { self.issues = issues }

    public var description: String { issues.map(\.description).joined(separator: "\n") }
}
