/// `tokenwatch report --format json`: one object, keys in a fixed order.
///
/// `{"settings":{…},"days":["2026-11-02",…],"teams":[{"team":…,"total":{…},"alerts":{…},"days":[{"day":…,
/// "calls":{"progress":…,"churn":…,"unknown":…},"tokens":{…},"churn_share":…,"alerts":{"agent_loop":2}}]}],
/// "total":{…},"unplaced_incidents":{…}}`. `churn_share` is churn tokens over progress plus churn tokens, `null`
/// when neither; `unplaced_incidents` counts the alert journal's incidents by detector (`--state-dir`).
extension LeverageReport {
    public var json: String {
        var json = JSONWriter()
        json.beginObject()
        json.beginObject(key: "settings")
        json.integer(Int64(settings.maxTeams), key: "max_teams")
        json.integer(Int64(settings.minTeamSize), key: "min_team_size")
        json.endObject()
        json.beginArray(key: "days")
        for day in days { json.string(Self.date(day)) }
        json.endArray()
        json.beginArray(key: "teams")
        for team in teams {
            json.beginObject()
            json.string(team, key: "team")
            Self.write(total(of: team), key: "total", into: &json)
            Self.write(alerts(of: team), key: "alerts", into: &json)
            json.beginArray(key: "days")
            for row in rows where row.team == team {
                json.beginObject()
                json.string(Self.date(row.day), key: "day")
                Self.write(row.usage, key: nil, into: &json)
                Self.write(row.alerts, key: "alerts", into: &json)
                json.endObject()
            }
            json.endArray()
            json.endObject()
        }
        json.endArray()
        Self.write(total, key: "total", into: &json)
        Self.write(unplacedAlerts, key: "unplaced_incidents", into: &json)
        json.endObject()
        return json.text
    }

    /// Calls, tokens and churn share: inside an object of their own under `key`, or in the current one.
    private static func write(_ usage: JudgedUsage, key: String?, into json: inout JSONWriter) {
        if let key { json.beginObject(key: key) }
        for (name, figure) in [("calls", usage.calls(_:)), ("tokens", usage.tokens(_:))] {
            json.beginObject(key: name)
            for judgement in ProgressJudgement.allCases {
                json.integer(Int64(figure(judgement)), key: judgement.rawValue)
            }
            json.endObject()
        }
        json.number(usage.churnShare ?? .nan, key: "churn_share")
        if key != nil { json.endObject() }
    }

    private static func write(_ alerts: [DetectorName: Int], key: String, into json: inout JSONWriter) {
        json.beginObject(key: key)
        for detector in DetectorName.allCases where alerts[detector] != nil {
            json.integer(Int64(alerts[detector]!), key: detector.rawValue)
        }
        json.endObject()
    }
}
