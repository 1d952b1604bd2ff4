import Logging

/// Sends every log record to standard error, one line each (journald reads it so), at the configured level.
/// Called once, from the command that runs, before any logger is made.
func bootstrapLogging(level: String) -> Logger {
    LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = Logger.Level(rawValue: level) ?? .info
        return handler
    }
    return Logger(label: "tokenwatch")
}
