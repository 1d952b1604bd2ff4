/// The alert socket and the incident lifecycle.
public struct AlertsConfiguration: Sendable, Equatable {
    /// Where the PUB socket binds. Default `tcp://127.0.0.1:7701`.
    public var endpoint = "tcp://127.0.0.1:7701"
    /// Alerts queued per subscriber; one that falls this far behind loses its own further alerts (and can
    /// fetch them by catch-up), never anyone else's. Default 10000.
    public var sendHighWaterMark: Int32 = 10_000
    /// While an incident goes on, a repeat firing alert is sent at most this often. Default 30 min.
    public var cooldown: Duration = .seconds(30 * 60)
    /// An incident is resolved once its condition has not held for this long (event time). Default 15 min.
    public var resolveAfter: Duration = .seconds(15 * 60)
    /// A finding this many times over its limit is `critical` rather than `warning`. Default 3.
    public var criticalFactor: Double = 3

    public init() {}
}

extension AlertsConfiguration: DeclaredSettings {
    static var declaredKeys: [SettingKey<Self>] {
        [
            .endpoint("endpoint", \.endpoint),
            .integer("send_high_water_mark", \.sendHighWaterMark, 0...10_000_000),
            .duration("cooldown", \.cooldown),
            .duration("resolve_after", \.resolveAfter),
            .number("critical_factor", \.criticalFactor, 1...1000),
        ]
    }
}
