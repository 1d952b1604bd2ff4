import Yams

/// The typed readers of configuration values, and the issues they found.
///
/// Each reader takes the value's node (`nil` when the key is absent) and its dotted key path, and returns
/// `nil` both when the key is absent and when its value is wrong; in the second case it records an issue with
/// the node's line and column. Callers therefore read `value = reader.integer(…) ?? value`, and every issue in
/// a file is reported at once.
struct ConfigurationReader {
    let file: String
    var issues: [ConfigurationError.Issue] = []

    init(file: String) { self.file = file }

    mutating func report(_ node: Node, _ path: String, _ message: String) {
        issues.append(
            .init(
                file: file, line: node.mark?.line ?? 0, column: node.mark?.column ?? 0, keyPath: path, message: message)
        )
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
        if text.isEmpty {
            report(node, path, "must not be empty")
            return nil
        }
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
        parsed(node, path, range, expecting: "an integer") { Int($0.replacingOccurrences(of: "_", with: "")) }
    }

    mutating func number(_ node: Node?, _ path: String, _ range: ClosedRange<Double>) -> Double? {
        parsed(node, path, range, expecting: "a number") { Double($0).flatMap { $0.isFinite ? $0 : nil } }
    }

    /// A scalar read by `parse` and checked against `range`.
    private mutating func parsed<Value: Comparable>(
        _ node: Node?, _ path: String, _ range: ClosedRange<Value>, expecting what: String, _ parse: (String) -> Value?
    ) -> Value? {
        guard let node, let text = scalarText(node, path, expecting: what) else { return nil }
        guard let value = parse(text) else {
            report(node, path, "must be \(what), not '\(text)'")
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
        guard let node, let text = scalarText(node, path, expecting: "a duration such as 90s, 15m or 1h") else {
            return nil
        }
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
        if parts.count == 2, parts[0].count == 2, parts[1].count == 2, let hour = Int(parts[0]),
            let minute = Int(parts[1]),
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
        guard Self.isEndpoint(text) else {
            report(node, path, "must be a ZeroMQ endpoint such as tcp://127.0.0.1:7700, not '\(text)'")
            return nil
        }
        return text
    }

    /// Several endpoints, comma-separated (one socket connecting to each); written back without spaces.
    mutating func endpoints(_ node: Node?, _ path: String) -> String? {
        guard let node, let text = string(node, path) else { return nil }
        let endpoints = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard endpoints.allSatisfy(Self.isEndpoint) else {
            report(node, path, "must be ZeroMQ endpoints such as tcp://127.0.0.1:7700, comma-separated, not '\(text)'")
            return nil
        }
        return endpoints.joined(separator: ",")
    }

    static func isEndpoint(_ text: String) -> Bool {
        ["tcp://", "ipc://", "inproc://"].contains(where: text.hasPrefix) && text.count > 6
    }

    /// `HOST:PORT`, or (with `emptyDisables`) an empty string for "off".
    mutating func hostPort(_ node: Node?, _ path: String, example: String, emptyDisables: Bool) -> String? {
        guard let node else { return nil }
        let text = emptyDisables ? scalarText(node, path, expecting: "HOST:PORT or empty") : string(node, path)
        guard let text else { return nil }
        guard (emptyDisables && text.isEmpty) || HostPort(text) != nil else {
            let disable = emptyDisables ? " (or empty to disable)" : ""
            report(node, path, "must be HOST:PORT such as \(example)\(disable), not '\(text)'")
            return nil
        }
        return text
    }

    mutating func sequenceOrEmpty(_ node: Node, _ path: String, what: String) -> [Node]? {
        if case .scalar(let scalar) = node, scalar.tag == .init(.null) || scalar.string.isEmpty { return [] }
        guard let sequence = node.sequence else {
            report(node, path, "must be \(what)")
            return nil
        }
        return Array(sequence)
    }

    /// An IANA time zone name this machine's time zone database knows.
    mutating func timeZone(_ node: Node?, _ path: String) -> String? {
        guard let node, let zone = string(node, path) else { return nil }
        guard TimeZoneNames.names(zone) else {
            report(node, path, "unknown IANA time zone '\(zone)'")
            return nil
        }
        return zone
    }
}
