import Yams

/// Reads a YAML configuration into a validated ``TokenWatchConfiguration``.
///
/// The file is composed into YAML nodes (which keep their line and column), then each known key is read and
/// checked; unknown keys, wrong types and out-of-range values are all collected and reported together. Keys
/// the file leaves out keep their built-in defaults.
public enum ConfigurationLoader {
    public static func load(yaml: String, file: String) throws(ConfigurationError) -> TokenWatchConfiguration {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw ConfigurationError(issues: [Self.syntaxIssue(error, file: file)])
        }
        var reader = NodeReader(file: file)
        var configuration = TokenWatchConfiguration()
        if let root {
            reader.read(root, into: &configuration)
        }
        if !reader.issues.isEmpty { throw ConfigurationError(issues: reader.issues) }
        return configuration
    }

    private static func syntaxIssue(_ error: any Error, file: String) -> ConfigurationError.Issue {
        if let yamlError = error as? YamlError {
            switch yamlError {
            case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _):
                return .init(file: file, line: mark.line, column: mark.column, keyPath: "", message: "YAML syntax: \(problem)")
            default: break
            }
        }
        return .init(file: file, line: 0, column: 0, keyPath: "", message: "YAML syntax: \(error)")
    }
}

/// Walks the YAML nodes with the schema of the configuration, collecting issues.
private struct NodeReader {
    let file: String
    var issues: [ConfigurationError.Issue] = []

    mutating func read(_ root: Node, into configuration: inout TokenWatchConfiguration) {
        guard let top = mapping(root, "", keys: [
            "events", "alerts", "logging", "metrics", "state", "journal", "catchup", "privacy", "security", "detectors", "overrides",
            "allowances",
        ]) else { return }
        if let events = top["events"], let keys = mapping(events, "events", keys: [
            "endpoint", "topic", "receive_high_water_mark", "max_message_bytes", "max_json_depth",
            "max_identifier_bytes", "max_tokens_per_event", "allowed_lateness", "max_future", "max_age",
        ]) {
            let c = configuration.events
            configuration.events.endpoint = endpoint(keys["endpoint"], "events.endpoint") ?? c.endpoint
            configuration.events.topic = string(keys["topic"], "events.topic") ?? c.topic
            configuration.events.receiveHighWaterMark = Int32(
                integer(keys["receive_high_water_mark"], "events.receive_high_water_mark", 0...10_000_000)
                    ?? Int(c.receiveHighWaterMark))
            configuration.events.limits.maxPayloadBytes =
                integer(keys["max_message_bytes"], "events.max_message_bytes", 256...(16 << 20)) ?? c.limits.maxPayloadBytes
            configuration.events.limits.maxDepth =
                integer(keys["max_json_depth"], "events.max_json_depth", 2...1024) ?? c.limits.maxDepth
            configuration.events.limits.maxIdentifierBytes =
                integer(keys["max_identifier_bytes"], "events.max_identifier_bytes", 8...65_536) ?? c.limits.maxIdentifierBytes
            configuration.events.allowedLateness =
                duration(keys["allowed_lateness"], "events.allowed_lateness") ?? c.allowedLateness
            configuration.events.maxFuture = duration(keys["max_future"], "events.max_future") ?? c.maxFuture
            configuration.events.maxAge = duration(keys["max_age"], "events.max_age") ?? c.maxAge
            configuration.events.limits.maxTokensPerEvent = Int64(
                integer(keys["max_tokens_per_event"], "events.max_tokens_per_event", 1...1_000_000_000)
                    ?? Int(c.limits.maxTokensPerEvent))
        }
        if let alerts = top["alerts"], let keys = mapping(alerts, "alerts", keys: [
            "endpoint", "send_high_water_mark", "cooldown", "resolve_after", "critical_factor",
        ]) {
            let c = configuration.alerts
            configuration.alerts.endpoint = endpoint(keys["endpoint"], "alerts.endpoint") ?? c.endpoint
            configuration.alerts.sendHighWaterMark = Int32(
                integer(keys["send_high_water_mark"], "alerts.send_high_water_mark", 0...10_000_000)
                    ?? Int(c.sendHighWaterMark))
            configuration.alerts.cooldown = duration(keys["cooldown"], "alerts.cooldown") ?? c.cooldown
            configuration.alerts.resolveAfter = duration(keys["resolve_after"], "alerts.resolve_after") ?? c.resolveAfter
            configuration.alerts.criticalFactor =
                number(keys["critical_factor"], "alerts.critical_factor", 1...1000) ?? c.criticalFactor
        }
        if let logging = top["logging"], let keys = mapping(logging, "logging", keys: ["level"]) {
            if let node = keys["level"], let level = string(node, "logging.level") {
                let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
                if levels.contains(level) {
                    configuration.logging.level = level
                } else {
                    report(node, "logging.level", "must be one of \(levels.joined(separator: ", ")), not '\(level)'")
                }
            }
        }
        if let metrics = top["metrics"], let keys = mapping(metrics, "metrics", keys: ["listen"]) {
            if let node = keys["listen"], let text = scalarText(node, "metrics.listen", expecting: "HOST:PORT or empty") {
                if text.isEmpty || HostPort(text) != nil {
                    configuration.metrics.listen = text
                } else {
                    report(node, "metrics.listen", "must be HOST:PORT such as 127.0.0.1:9700 (or empty to disable), not '\(text)'")
                }
            }
        }
        if let state = top["state"], let keys = mapping(state, "state", keys: ["directory", "checkpoint_interval", "max_tracked_subjects"]) {
            configuration.state.maxTrackedSubjects =
                integer(keys["max_tracked_subjects"], "state.max_tracked_subjects", 100...100_000_000) ?? configuration.state.maxTrackedSubjects
            if let node = keys["directory"], let text = scalarText(node, "state.directory", expecting: "a directory path or empty") {
                if text.isEmpty || text.hasPrefix("/") {
                    configuration.state.directory = text
                } else {
                    report(node, "state.directory", "must be an absolute path (or empty), not '\(text)'")
                }
            }
            configuration.state.checkpointInterval =
                duration(keys["checkpoint_interval"], "state.checkpoint_interval") ?? configuration.state.checkpointInterval
        }
        if let journal = top["journal"],
            let keys = mapping(journal, "journal", keys: ["fsync", "max_segment_bytes", "max_segments", "memory_entries"])
        {
            let c = configuration.journal
            if let node = keys["fsync"], let text = string(node, "journal.fsync") {
                if let policy = JournalConfiguration.FsyncPolicy(rawValue: text) {
                    configuration.journal.fsync = policy
                } else {
                    report(node, "journal.fsync", "must be always, interval or never, not '\(text)'")
                }
            }
            configuration.journal.maxSegmentBytes =
                integer(keys["max_segment_bytes"], "journal.max_segment_bytes", 4096...(1 << 34)) ?? c.maxSegmentBytes
            configuration.journal.maxSegments = integer(keys["max_segments"], "journal.max_segments", 1...100_000) ?? c.maxSegments
            configuration.journal.memoryEntries =
                integer(keys["memory_entries"], "journal.memory_entries", 0...10_000_000) ?? c.memoryEntries
        }
        if let privacy = top["privacy"], let keys = mapping(privacy, "privacy", keys: ["pseudonymize_users", "key_file"]) {
            configuration.privacy.pseudonymizeUsers = bool(keys["pseudonymize_users"], "privacy.pseudonymize_users") ?? false
            if let node = keys["key_file"], let text = scalarText(node, "privacy.key_file", expecting: "a file path") {
                configuration.privacy.keyFile = text
            }
            if configuration.privacy.pseudonymizeUsers && configuration.privacy.keyFile.isEmpty {
                report(privacy, "privacy.key_file", "is required when pseudonymize_users is true")
            }
        }
        if let security = top["security"], let keys = mapping(security, "security", keys: [
            "curve", "server_secret_key_file", "allowed_client_keys", "allowed_client_keys_dir", "allow_plaintext",
        ]) {
            var c = configuration.security
            c.curve = bool(keys["curve"], "security.curve") ?? c.curve
            c.allowPlaintext = bool(keys["allow_plaintext"], "security.allow_plaintext") ?? c.allowPlaintext
            if let node = keys["server_secret_key_file"], let text = scalarText(node, "security.server_secret_key_file", expecting: "a file path") {
                c.serverSecretKeyFile = text
            }
            if let node = keys["allowed_client_keys_dir"], let text = scalarText(node, "security.allowed_client_keys_dir", expecting: "a directory") {
                c.allowedClientKeysDirectory = text
            }
            if let node = keys["allowed_client_keys"], let list = sequenceOrEmpty(node, "security.allowed_client_keys", what: "a list of Z85 public keys") {
                for item in list {
                    guard let key = item.string, key.utf8.count == 40 else {
                        report(item, "security.allowed_client_keys", "must be a 40-character Z85 public key")
                        continue
                    }
                    c.allowedClientKeys.append(key)
                }
            }
            if c.curve && c.serverSecretKeyFile.isEmpty {
                report(security, "security.server_secret_key_file", "is required when curve is true (tokenwatch keygen PATH writes one)")
            }
            configuration.security = c
        }
        if let catchup = top["catchup"], let keys = mapping(catchup, "catchup", keys: ["endpoint", "max_batch"]) {
            if let node = keys["endpoint"], let text = scalarText(node, "catchup.endpoint", expecting: "an endpoint or empty") {
                if text.isEmpty {
                    configuration.catchup.endpoint = ""
                } else if let endpoint = endpoint(node, "catchup.endpoint") {
                    configuration.catchup.endpoint = endpoint
                }
            }
            configuration.catchup.maxBatch = integer(keys["max_batch"], "catchup.max_batch", 1...100_000) ?? configuration.catchup.maxBatch
        }
        if let detectors = top["detectors"],
            let keys = mapping(detectors, "detectors", keys: DetectorName.allCases.map(\.rawValue))
        {
            readDetectors(keys, path: "detectors", into: &configuration)
        }
        // After the detectors: an override starts from the configured defaults.
        if let overrides = top["overrides"] { readOverrides(overrides, into: &configuration) }
        if let allowances = top["allowances"] { readAllowances(allowances, into: &configuration) }
    }

    /// Reads the detector sections present in `keys` over what `configuration` holds.
    mutating func readDetectors(_ keys: [String: Node], path: String, into configuration: inout TokenWatchConfiguration) {
        if let node = keys["repetitive_prompts"] { readRepetitivePrompts(node, "\(path).repetitive_prompts", into: &configuration.repetitivePrompts) }
        if let node = keys["offhours_burst"] { readOffHoursBurst(node, "\(path).offhours_burst", into: &configuration.offHoursBurst) }
        if let node = keys["agent_loop"] { readAgentLoop(node, "\(path).agent_loop", into: &configuration.agentLoop) }
        if let node = keys["scripted_cadence"] { readScriptedCadence(node, "\(path).scripted_cadence", into: &configuration.scriptedCadence) }
        if let node = keys["trivial_flood"] { readTrivialFlood(node, "\(path).trivial_flood", into: &configuration.trivialFlood) }
    }

    mutating func readOverrides(_ node: Node, into configuration: inout TokenWatchConfiguration) {
        guard let list = sequenceOrEmpty(node, "overrides", what: "a list of {user or team, detectors}") else { return }
        var seen: Set<SubjectOverride.Match> = []
        for (index, item) in list.enumerated() {
            let path = "overrides[\(index)]"
            guard let keys = mapping(item, path, keys: ["user", "team", "detectors"]) else { continue }
            let match: SubjectOverride.Match
            switch (string(keys["user"], "\(path).user"), string(keys["team"], "\(path).team")) {
            case (let user?, nil): match = .user(user)
            case (nil, let team?): match = .team(team)
            default:
                report(item, path, "needs exactly one of user or team")
                continue
            }
            guard seen.insert(match).inserted else {
                report(item, path, "a second override for the same \(keys["user"] != nil ? "user" : "team")")
                continue
            }
            var scoped = configuration
            if let detectors = keys["detectors"],
                let detectorKeys = mapping(detectors, "\(path).detectors", keys: DetectorName.allCases.map(\.rawValue))
            {
                readDetectors(detectorKeys, path: "\(path).detectors", into: &scoped)
            }
            configuration.overrides.append(SubjectOverride(match: match, base: scoped))
        }
    }

    mutating func readAllowances(_ node: Node, into configuration: inout TokenWatchConfiguration) {
        guard let list = sequenceOrEmpty(node, "allowances", what: "a list of {user/agent/tool, detectors, reason, expires}") else { return }
        for (index, item) in list.enumerated() {
            let path = "allowances[\(index)]"
            guard let keys = mapping(item, path, keys: ["user", "agent", "tool", "detectors", "reason", "expires"]) else { continue }
            let user = string(keys["user"], "\(path).user")
            let agent = string(keys["agent"], "\(path).agent")
            let tool = string(keys["tool"], "\(path).tool")
            if user == nil && agent == nil && tool == nil && keys["user"] == nil && keys["agent"] == nil && keys["tool"] == nil {
                report(item, path, "needs at least one of user, agent or tool: an allowance for everyone is a disabled detector")
            }
            var detectors: Set<DetectorName> = []
            if let list = keys["detectors"] {
                if let items = list.sequence {
                    for entry in items {
                        if let name = entry.string, let detector = DetectorName(rawValue: name) {
                            detectors.insert(detector)
                        } else {
                            report(entry, "\(path).detectors", "unknown detector '\(entry.string ?? "?")' (expected \(DetectorName.allCases.map(\.rawValue).joined(separator: ", ")))")
                        }
                    }
                } else {
                    report(list, "\(path).detectors", "must be a list of detector names")
                }
            }
            guard let reasonNode = keys["reason"], let reason = string(reasonNode, "\(path).reason") else {
                if keys["reason"] == nil { report(item, "\(path).reason", "is required: say why this work is sanctioned") }
                continue
            }
            guard let expiresNode = keys["expires"] else {
                report(item, "\(path).expires", "is required: every allowance ends (a date such as 2027-01-31)")
                continue
            }
            guard let expires = expiry(expiresNode, "\(path).expires") else { continue }
            configuration.allowances.append(Allowance(user: user, agent: agent, tool: tool, detectors: detectors, reason: reason, expires: expires))
        }
    }

    /// A date (`2027-01-31`, meaning the end of that day, UTC) or an RFC 3339 time.
    mutating func expiry(_ node: Node, _ path: String) -> EventTime? {
        guard let text = scalarText(node, path, expecting: "a date such as 2027-01-31") else { return nil }
        if let time = EventTime(rfc3339: text) { return time }
        if text.count == 10, let start = EventTime(rfc3339: text + "T00:00:00Z") { return start + .seconds(86400) }
        report(node, path, "must be a date such as 2027-01-31 or an RFC 3339 time, not '\(text)'")
        return nil
    }

    mutating func sequenceOrEmpty(_ node: Node, _ path: String, what: String) -> [Node]? {
        if case .scalar(let scalar) = node, scalar.tag == .init(.null) || scalar.string.isEmpty { return [] }
        guard let sequence = node.sequence else {
            report(node, path, "must be \(what)")
            return nil
        }
        return Array(sequence)
    }

    mutating func readRepetitivePrompts(_ node: Node, _ path: String, into c: inout RepetitivePromptsConfiguration) {
        guard let keys = mapping(node, path, keys: ["enabled", "window", "min_repeats", "similarity", "max_clusters_per_user", "min_words"])
        else { return }
        c.minWords = integer(keys["min_words"], "\(path).min_words", 1...100) ?? c.minWords
        c.enabled = bool(keys["enabled"], "\(path).enabled") ?? c.enabled
        c.window = duration(keys["window"], "\(path).window") ?? c.window
        c.minRepeats = integer(keys["min_repeats"], "\(path).min_repeats", 2...100_000) ?? c.minRepeats
        c.similarity = number(keys["similarity"], "\(path).similarity", 0.05...1) ?? c.similarity
        c.maxClustersPerUser = integer(keys["max_clusters_per_user"], "\(path).max_clusters_per_user", 1...4096) ?? c.maxClustersPerUser
    }

    mutating func readOffHoursBurst(_ node: Node, _ path: String, into c: inout OffHoursBurstConfiguration) {
        guard let keys = mapping(node, path, keys: [
            "enabled", "window", "work_hours", "work_days", "timezone", "min_tokens", "multiplier", "baseline_days",
            "baseline_rank", "warmup_active_hours", "default_baseline_tokens_per_hour",
        ]) else { return }
        c.enabled = bool(keys["enabled"], "\(path).enabled") ?? c.enabled
        c.window = duration(keys["window"], "\(path).window") ?? c.window
        if let hours = keys["work_hours"], let span = mapping(hours, "\(path).work_hours", keys: ["start", "end"]) {
            c.workStartMinute = timeOfDay(span["start"], "\(path).work_hours.start") ?? c.workStartMinute
            c.workEndMinute = timeOfDay(span["end"], "\(path).work_hours.end") ?? c.workEndMinute
            if c.workEndMinute <= c.workStartMinute {
                report(hours, "\(path).work_hours", "end must be after start")
            }
        }
        c.workDays = weekdays(keys["work_days"], "\(path).work_days") ?? c.workDays
        if let node = keys["timezone"], let zone = string(node, "\(path).timezone") {
            if LocalTimeResolverCheck.isKnown(zone) {
                c.timeZone = zone
            } else {
                report(node, "\(path).timezone", "unknown IANA time zone '\(zone)'")
            }
        }
        c.minTokens = Int64(integer(keys["min_tokens"], "\(path).min_tokens", 0...1_000_000_000_000) ?? Int(c.minTokens))
        c.multiplier = number(keys["multiplier"], "\(path).multiplier", 1...10_000) ?? c.multiplier
        c.baselineDays = integer(keys["baseline_days"], "\(path).baseline_days", 1...60) ?? c.baselineDays
        c.baselineRank = integer(keys["baseline_rank"], "\(path).baseline_rank", 1...100) ?? c.baselineRank
        c.warmupActiveHours = integer(keys["warmup_active_hours"], "\(path).warmup_active_hours", 0...1440) ?? c.warmupActiveHours
        c.defaultBaselineTokensPerHour = Int64(
            integer(keys["default_baseline_tokens_per_hour"], "\(path).default_baseline_tokens_per_hour", 0...1_000_000_000)
                ?? Int(c.defaultBaselineTokensPerHour))
    }

    mutating func readAgentLoop(_ node: Node, _ path: String, into c: inout AgentLoopConfiguration) {
        guard let keys = mapping(node, path, keys: ["enabled", "window", "min_iterations", "max_cycle_length"]) else { return }
        c.enabled = bool(keys["enabled"], "\(path).enabled") ?? c.enabled
        c.window = duration(keys["window"], "\(path).window") ?? c.window
        c.minIterations = integer(keys["min_iterations"], "\(path).min_iterations", 2...100_000) ?? c.minIterations
        c.maxCycleLength = integer(keys["max_cycle_length"], "\(path).max_cycle_length", 2...16) ?? c.maxCycleLength
    }

    mutating func readScriptedCadence(_ node: Node, _ path: String, into c: inout ScriptedCadenceConfiguration) {
        guard let keys = mapping(node, path, keys: ["enabled", "window", "min_calls", "max_interval", "max_variation"]) else { return }
        c.enabled = bool(keys["enabled"], "\(path).enabled") ?? c.enabled
        c.window = duration(keys["window"], "\(path).window") ?? c.window
        c.minCalls = integer(keys["min_calls"], "\(path).min_calls", 5...10_000) ?? c.minCalls
        c.maxInterval = duration(keys["max_interval"], "\(path).max_interval") ?? c.maxInterval
        c.maxVariation = number(keys["max_variation"], "\(path).max_variation", 0.001...1) ?? c.maxVariation
    }

    mutating func readTrivialFlood(_ node: Node, _ path: String, into c: inout TrivialFloodConfiguration) {
        guard let keys = mapping(node, path, keys: ["enabled", "window", "min_calls", "max_prompt_words", "max_input_tokens"]) else { return }
        c.enabled = bool(keys["enabled"], "\(path).enabled") ?? c.enabled
        c.window = duration(keys["window"], "\(path).window") ?? c.window
        c.minCalls = integer(keys["min_calls"], "\(path).min_calls", 2...100_000) ?? c.minCalls
        c.maxPromptWords = integer(keys["max_prompt_words"], "\(path).max_prompt_words", 1...100) ?? c.maxPromptWords
        c.maxInputTokens = Int64(integer(keys["max_input_tokens"], "\(path).max_input_tokens", 0...100_000) ?? Int(c.maxInputTokens))
    }

    // MARK: Typed readers: each returns nil (and records an issue) when the node is present but wrong.

    mutating func report(_ node: Node, _ path: String, _ message: String) {
        issues.append(.init(file: file, line: node.mark?.line ?? 0, column: node.mark?.column ?? 0, keyPath: path, message: message))
    }

    /// The mapping's values by key; unknown and duplicate keys are reported.
    mutating func mapping(_ node: Node, _ path: String, keys allowed: [String]) -> [String: Node]? {
        if case .scalar(let scalar) = node, scalar.tag == .init(.null) || scalar.string.isEmpty { return [:] }
        guard let mapping = node.mapping else {
            report(node, path, "must be a mapping of keys to values")
            return nil
        }
        var values: [String: Node] = [:]
        for (keyNode, value) in mapping {
            let key = keyNode.string ?? ""
            let keyPath = path.isEmpty ? key : "\(path).\(key)"
            if !allowed.contains(key) {
                report(keyNode, keyPath, "unknown key (expected one of: \(allowed.joined(separator: ", ")))")
            } else if values[key] != nil {
                report(keyNode, keyPath, "duplicate key")
            } else {
                values[key] = value
            }
        }
        return values
    }

    mutating func scalarText(_ node: Node, _ path: String, expecting what: String) -> String? {
        guard case .scalar(let scalar) = node else {
            report(node, path, "must be \(what)")
            return nil
        }
        return scalar.string
    }

    mutating func string(_ node: Node?, _ path: String) -> String? {
        guard let node, let text = scalarText(node, path, expecting: "a string") else { return nil }
        if text.isEmpty { report(node, path, "must not be empty") ; return nil }
        return text
    }

    mutating func bool(_ node: Node?, _ path: String) -> Bool? {
        guard let node, let text = scalarText(node, path, expecting: "true or false") else { return nil }
        switch text {
        case "true": return true
        case "false": return false
        default:
            report(node, path, "must be true or false, not '\(text)'")
            return nil
        }
    }

    mutating func integer(_ node: Node?, _ path: String, _ range: ClosedRange<Int>) -> Int? {
        guard let node, let text = scalarText(node, path, expecting: "an integer") else { return nil }
        guard let value = Int(text.replacingOccurrences(of: "_", with: "")) else {
            report(node, path, "must be an integer, not '\(text)'")
            return nil
        }
        guard range.contains(value) else {
            report(node, path, "must be between \(range.lowerBound) and \(range.upperBound), not \(value)")
            return nil
        }
        return value
    }

    mutating func number(_ node: Node?, _ path: String, _ range: ClosedRange<Double>) -> Double? {
        guard let node, let text = scalarText(node, path, expecting: "a number") else { return nil }
        guard let value = Double(text), value.isFinite else {
            report(node, path, "must be a number, not '\(text)'")
            return nil
        }
        guard range.contains(value) else {
            report(node, path, "must be between \(range.lowerBound) and \(range.upperBound), not \(value)")
            return nil
        }
        return value
    }

    /// `90s`, `15m`, `1h`, `2d`, or a combination such as `1h30m`.
    mutating func duration(_ node: Node?, _ path: String) -> Duration? {
        guard let node, let text = scalarText(node, path, expecting: "a duration such as 90s, 15m or 1h") else { return nil }
        guard let duration = DurationText.parse(text), duration > .zero else {
            report(node, path, "must be a positive duration such as 90s, 15m or 1h, not '\(text)'")
            return nil
        }
        return duration
    }

    /// `HH:MM`, 24-hour, as minutes after midnight; `24:00` is allowed as an end of day.
    mutating func timeOfDay(_ node: Node?, _ path: String) -> Int? {
        guard let node, let text = scalarText(node, path, expecting: "a time of day such as 09:00") else { return nil }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        if parts.count == 2, parts[0].count == 2, parts[1].count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]),
            (0...23).contains(hour) && (0...59).contains(minute) || (hour == 24 && minute == 0)
        {
            return hour * 60 + minute
        }
        report(node, path, "must be a time of day HH:MM such as 09:00, not '\(text)'")
        return nil
    }

    mutating func weekdays(_ node: Node?, _ path: String) -> Set<Int>? {
        guard let node else { return nil }
        guard let sequence = node.sequence else {
            report(node, path, "must be a list of days such as [mon, tue, wed, thu, fri]")
            return nil
        }
        let names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        var days: Set<Int> = []
        for item in sequence {
            guard let text = item.string, let index = names.firstIndex(of: text.lowercased().prefix(3).description),
                text.count >= 3
            else {
                report(item, path, "unknown day '\(item.string ?? "?")' (expected mon, tue, wed, thu, fri, sat or sun)")
                continue
            }
            days.insert(index)
        }
        return days
    }

    mutating func endpoint(_ node: Node?, _ path: String) -> String? {
        guard let node, let text = string(node, path) else { return nil }
        let schemes = ["tcp://", "ipc://", "inproc://"]
        guard schemes.contains(where: text.hasPrefix), text.count > 6 else {
            report(node, path, "must be a ZeroMQ endpoint such as tcp://127.0.0.1:7700, not '\(text)'")
            return nil
        }
        return text
    }
}

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

/// A `HOST:PORT` pair, as `metrics.listen` and `--metrics` take it.
public struct HostPort: Sendable, Equatable {
    public var host: String
    public var port: Int

    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        self.host = host
        self.port = port
    }
}

enum LocalTimeResolverCheck {
    static func isKnown(_ zone: String) -> Bool {
        var resolver = LocalTimeResolver()
        return resolver.localTime(of: EventTime(milliseconds: 0), in: zone) != nil
    }
}
