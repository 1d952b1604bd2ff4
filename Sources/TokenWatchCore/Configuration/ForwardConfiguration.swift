/// `tokenwatch forward`: alerts from the daemon delivered to the receivers.
///
/// The section's own keys say where the alerts come from and how every receiver is delivered to; each receiver
/// kind's keys (`alertmanagers`, `webhooks`) are its own, declared beside the receiver (``receivers``).
public struct ForwardConfiguration: Sendable, Equatable {
    /// The daemon's alert socket. Default `tcp://127.0.0.1:7701`.
    public var connect = "tcp://127.0.0.1:7701"
    /// The daemon's catch-up socket, asked for what was published while the forwarder was away. Default
    /// `tcp://127.0.0.1:7702`.
    public var catchup = "tcp://127.0.0.1:7702"
    /// Topic prefixes forwarded. Default `[alert.]`: everything.
    public var topics = ["alert."]
    /// Where the cursor, the delivery queues and the receivers' state are kept; empty means `$STATE_DIRECTORY`
    /// under systemd. Required: without it a restart would lose or repeat alerts.
    public var stateDirectory = ""
    /// `HOST:PORT` serving `/metrics` and `/healthz`; empty disables it. Default 127.0.0.1:9702.
    public var metrics = "127.0.0.1:9702"
    /// Each receiver kind's keys, with their defaults for the kinds the configuration was built with. Default
    /// none: the executable reads every file over the defaults of each registered kind.
    package var receivers = ForwardReceiverSections()
    /// One HTTP request's limit. Default 10 s.
    public var timeout: Duration = .seconds(10)
    /// The first retry waits this long, each next one twice as long up to `max_backoff`. Default 1 s.
    public var initialBackoff: Duration = .seconds(1)
    /// The longest wait between two attempts. Default 5 min.
    public var maxBackoff: Duration = .seconds(300)
    /// A delivery still failing after this long is given up (dead-lettered and counted). Default 24 h.
    public var maxRetryAge: Duration = .seconds(86_400)
    /// Deliveries waiting per receiver, on disk; past it the oldest is dead-lettered. Default 10000.
    public var maxQueue = 10_000
    /// Dead letters (deliveries given up) kept in `dead-letters/` of the state directory, newest first; 0 keeps
    /// none (each is still logged and counted). Default 1000.
    public var maxDeadLetters = 1000
    /// Whether receivers may be link-local or cloud metadata addresses (`169.254.169.254`, `fe80::/10`,
    /// `fd00:ec2::254`, `metadata.google.internal`, …; ``ReceiverTarget``). Default false.
    public var allowLinkLocalTargets = false
    /// Whether receiver URLs may carry a user and password (`https://user:pass@host/`). Default false.
    public var allowURLCredentials = false

    public init() {}

    /// Whether a URL is one the forwarder can send to.
    public static func isHTTPURL(_ text: String) -> Bool {
        (text.hasPrefix("http://") || text.hasPrefix("https://")) && text.count > 8 && !text.contains(" ")
    }

    /// Why a receiver URL is refused under the `allow_*` keys, or `nil`.
    package func targetProblem(_ url: String) -> String? {
        guard Self.isHTTPURL(url) else { return "must be an http:// or https:// URL, not '\(url)'" }
        return ReceiverTarget.problem(
            url, allowLinkLocal: allowLinkLocalTargets, allowCredentials: allowURLCredentials)
    }
}

extension ForwardConfiguration: SectionSettings {
    /// Where alerts come from: the keys before the receivers'.
    static let sourceKeys = ["connect", "catchup", "topics", "state_directory", "metrics"]
    /// How every receiver is delivered to: the keys after the receivers'.
    static let deliveryKeys = [
        "timeout", "initial_backoff", "max_backoff", "max_retry_age", "max_queue", "max_dead_letters",
        "allow_link_local_targets", "allow_url_credentials",
    ]
    static let keys = sourceKeys + deliveryKeys

    var acceptedKeys: [String] { Self.sourceKeys + receivers.keys + Self.deliveryKeys }

    mutating func read(_ section: inout ConfigurationSection) {
        connect = section.endpoint("connect") ?? connect
        if let text = section.text("catchup", expecting: "an endpoint or empty") {
            catchup = text.isEmpty ? "" : section.endpoint("catchup") ?? catchup
        }
        topics = section.strings("topics", what: "a list of topic prefixes") { _ in nil } ?? topics
        if let text = section.text("state_directory", expecting: "a directory or empty") { stateDirectory = text }
        metrics = section.hostPort("metrics", example: "127.0.0.1:9702", emptyDisables: true) ?? metrics
        allowLinkLocalTargets = section.bool("allow_link_local_targets") ?? allowLinkLocalTargets
        allowURLCredentials = section.bool("allow_url_credentials") ?? allowURLCredentials
        // The receivers' URLs are judged under the `allow_*` keys just read.
        let own = self
        receivers.read(&section, in: own)
        timeout = section.duration("timeout") ?? timeout
        initialBackoff = section.duration("initial_backoff") ?? initialBackoff
        maxBackoff = section.duration("max_backoff") ?? maxBackoff
        maxRetryAge = section.duration("max_retry_age") ?? maxRetryAge
        maxQueue = section.integer("max_queue", 1...10_000_000) ?? maxQueue
        maxDeadLetters = section.integer("max_dead_letters", 0...10_000_000) ?? maxDeadLetters
        if initialBackoff > maxBackoff { section.report("initial_backoff", "must not exceed max_backoff") }
    }

    var yamlLines: [String] {
        [
            "connect: \(YAMLScalar.quoted(connect))",
            "catchup: \(YAMLScalar.quoted(catchup))",
            "topics: \(YAMLScalar.list(topics.map(YAMLScalar.quoted)))",
            "state_directory: \(YAMLScalar.quoted(stateDirectory))",
            "metrics: \(YAMLScalar.quoted(metrics))",
        ] + receivers.yamlLines + [
            "timeout: \(YAMLScalar.duration(timeout))",
            "initial_backoff: \(YAMLScalar.duration(initialBackoff))",
            "max_backoff: \(YAMLScalar.duration(maxBackoff))",
            "max_retry_age: \(YAMLScalar.duration(maxRetryAge))",
            "max_queue: \(maxQueue)",
            "max_dead_letters: \(maxDeadLetters)",
            "allow_link_local_targets: \(allowLinkLocalTargets)",
            "allow_url_credentials: \(allowURLCredentials)",
        ]
    }
}
