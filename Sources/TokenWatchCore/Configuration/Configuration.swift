/// The validated configuration: every field present and in range. Built-in defaults equal
/// `Config/tokenwatch.yaml`; ``ConfigurationLoader`` reads a file into this.
public struct TokenWatchConfiguration: Sendable, Equatable {
    public var events = EventsConfiguration()
    public var alerts = AlertsConfiguration()
    public var logging = LoggingConfiguration()
    public var metrics = MetricsConfiguration()
    /// Spending per team: the usage counters and `tokenwatch report`.
    public var report = ReportConfiguration()
    public var state = StateConfiguration()
    public var journal = JournalConfiguration()
    public var privacy = PrivacyConfiguration()
    public var security = SecurityConfiguration()
    public var catchup = CatchupConfiguration()
    /// `tokenwatch bridge`'s section.
    public var bridge = BridgeConfiguration()
    /// `tokenwatch forward`'s section.
    public var forward = ForwardConfiguration()
    /// Every detector's settings, as the defaults for everyone.
    public var detectors = DetectorSettings()
    /// Per team and per user thresholds; the most specific match wins (a user's, else the team's).
    public var overrides: [SubjectOverride] = []
    /// Sanctioned work that named detectors leave alone, each with a reason and an expiry.
    public var allowances: [Allowance] = []

    public init() {}
}
