import Logging
import TokenWatchClient

/// Sends every log record to standard error, one line each (journald reads it so), at the configured level.
/// Called once, from the command that runs, before any logger is made.
func bootstrapLogging(level: String) -> Logger {
    LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = Logger.Level(rawValue: level) ?? .info
        return TerminalSafeLogHandler(handler)
    }
    return Logger(label: "tokenwatch")
}

/// Escapes control characters in every message and metadata value before the wrapped handler writes them:
/// some values come from the network (a subscriber's topic prefix, a client's key), and one with a CR-LF or
/// an ESC must not forge or hide log lines.
struct TerminalSafeLogHandler<Wrapped: LogHandler>: LogHandler {
    var wrapped: Wrapped

    init(_ wrapped: Wrapped) { self.wrapped = wrapped }

    var logLevel: Logger.Level {
        get { wrapped.logLevel }
        set { wrapped.logLevel = newValue }
    }

    var metadata: Logger.Metadata {
        get { wrapped.metadata }
        set { wrapped.metadata = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { wrapped[metadataKey: key] }
        set { wrapped[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        var event = event
        event.message = "\(TerminalText.escaped(event.message.description))"
        event.metadata = event.metadata?.mapValues(Self.escaped)
        wrapped.log(event: event)
    }

    private static func escaped(_ value: Logger.Metadata.Value) -> Logger.Metadata.Value {
        switch value {
        case .string(let text): .string(TerminalText.escaped(text))
        case .stringConvertible(let convertible): .string(TerminalText.escaped(convertible.description))
        case .dictionary(let dictionary): .dictionary(dictionary.mapValues(escaped))
        case .array(let array): .array(array.map(escaped))
        }
    }
}
