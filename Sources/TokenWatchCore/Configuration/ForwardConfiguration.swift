/// `tokenwatch forward`: alerts from the daemon delivered to Alertmanager and to webhooks.
public struct ForwardConfiguration: Sendable, Equatable {
    /// The daemon's alert socket. Default `tcp://127.0.0.1:7701`.
    public var connect = "tcp://127.0.0.1:7701"
    /// The daemon's catch-up socket, asked for what was published while the forwarder was away. Default
    /// `tcp://127.0.0.1:7702`.
    public var catchup = "tcp://127.0.0.1:7702"
    /// Topic prefixes forwarded. Default `[alert.]`: everything.
    public var topics = ["alert."]
    /// Where the cursor, the delivery queues and the open Alertmanager alerts are kept; empty means
    /// `$STATE_DIRECTORY` under systemd. Required: without it a restart would lose or repeat alerts.
    public var stateDirectory = ""
    /// `HOST:PORT` serving `/metrics` and `/healthz`; empty disables it. Default 127.0.0.1:9702.
    public var metrics = "127.0.0.1:9702"
    /// Alertmanager base URLs (`http://host:9093`), each sent every alert. Default none.
    public var alertmanagers: [String] = []
    /// How often open alerts are sent to Alertmanager again, so that they do not expire while they fire
    /// (Alertmanager's client contract; each carries `endsAt` four intervals ahead). Default 1 min.
    public var resendInterval: Duration = .seconds(60)
    /// Webhook receivers, each sent every alert's payload as a signed JSON POST.
    public var webhooks: [Webhook] = []
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

    /// A webhook receiver and the key that signs what it is sent.
    public struct Webhook: Sendable, Equatable {
        public var url: String
        /// A file holding the HMAC-SHA256 key: every byte of it, a final newline included; empty sends unsigned.
        public var secretFile: String

        public init(url: String, secretFile: String = "") {
            self.url = url
            self.secretFile = secretFile
        }
    }

    /// Whether a URL is one the forwarder can send to.
    public static func isHTTPURL(_ text: String) -> Bool {
        (text.hasPrefix("http://") || text.hasPrefix("https://")) && text.count > 8 && !text.contains(" ")
    }
}

extension ForwardConfiguration: SectionSettings {
    static let keys = [
        "connect", "catchup", "topics", "state_directory", "metrics", "alertmanagers", "resend_interval", "webhooks",
        "timeout", "initial_backoff", "max_backoff", "max_retry_age", "max_queue", "max_dead_letters",
        "allow_link_local_targets", "allow_url_credentials",
    ]

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
        alertmanagers = section.strings("alertmanagers", what: "a list of URLs", targetProblem) ?? alertmanagers
        resendInterval = section.duration("resend_interval") ?? resendInterval
        timeout = section.duration("timeout") ?? timeout
        initialBackoff = section.duration("initial_backoff") ?? initialBackoff
        maxBackoff = section.duration("max_backoff") ?? maxBackoff
        maxRetryAge = section.duration("max_retry_age") ?? maxRetryAge
        maxQueue = section.integer("max_queue", 1...10_000_000) ?? maxQueue
        maxDeadLetters = section.integer("max_dead_letters", 0...10_000_000) ?? maxDeadLetters
        if section.contains("webhooks") { webhooks = [] }
        section.mappings("webhooks", keys: ["url", "secret_file"], what: "a list of {url, secret_file}") {
            _, webhook in
            guard let url = webhook.string("url") else {
                if !webhook.contains("url") { webhook.reportMissing("url", "a webhook needs a url") }
                return
            }
            if let problem = targetProblem(url) {
                webhook.report("url", problem)
                return
            }
            let secret = webhook.text("secret_file", expecting: "a file path") ?? ""
            self.webhooks.append(Webhook(url: url, secretFile: secret))
        }
        if initialBackoff > maxBackoff { section.report("initial_backoff", "must not exceed max_backoff") }
    }

    /// Why a receiver URL is refused under the `allow_*` keys, or `nil`.
    package func targetProblem(_ url: String) -> String? {
        guard Self.isHTTPURL(url) else { return "must be an http:// or https:// URL, not '\(url)'" }
        return ReceiverTarget.problem(
            url, allowLinkLocal: allowLinkLocalTargets, allowCredentials: allowURLCredentials)
    }

    var yamlLines: [String] {
        var lines = [
            "connect: \(YAMLScalar.quoted(connect))",
            "catchup: \(YAMLScalar.quoted(catchup))",
            "topics: \(YAMLScalar.list(topics.map(YAMLScalar.quoted)))",
            "state_directory: \(YAMLScalar.quoted(stateDirectory))",
            "metrics: \(YAMLScalar.quoted(metrics))",
            "alertmanagers: \(YAMLScalar.list(alertmanagers.map(YAMLScalar.quoted)))",
            "resend_interval: \(YAMLScalar.duration(resendInterval))",
        ]
        if webhooks.isEmpty {
            lines.append("webhooks: []")
        } else {
            lines.append("webhooks:")
            for webhook in webhooks {
                lines.append("  - url: \(YAMLScalar.quoted(webhook.url))")
                lines.append("    secret_file: \(YAMLScalar.quoted(webhook.secretFile))")
            }
        }
        lines += [
            "timeout: \(YAMLScalar.duration(timeout))",
            "initial_backoff: \(YAMLScalar.duration(initialBackoff))",
            "max_backoff: \(YAMLScalar.duration(maxBackoff))",
            "max_retry_age: \(YAMLScalar.duration(maxRetryAge))",
            "max_queue: \(maxQueue)",
            "max_dead_letters: \(maxDeadLetters)",
            "allow_link_local_targets: \(allowLinkLocalTargets)",
            "allow_url_credentials: \(allowURLCredentials)",
        ]
        return lines
    }
}
