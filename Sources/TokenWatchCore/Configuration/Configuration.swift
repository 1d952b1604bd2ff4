/// The validated configuration: every field present and in range. Built-in defaults equal
/// `Config/tokenwatch.yaml`; ``ConfigurationLoader`` reads a file into this.
public struct TokenWatchConfiguration: Sendable, Equatable {
    public var events = EventsConfiguration()
    public var alerts = AlertsConfiguration()
    public var logging = LoggingConfiguration()
    public var metrics = MetricsConfiguration()
    public var state = StateConfiguration()
    public var journal = JournalConfiguration()
    public var privacy = PrivacyConfiguration()
    public var security = SecurityConfiguration()
    public var catchup = CatchupConfiguration()
    public var repetitivePrompts = RepetitivePromptsConfiguration()
    public var offHoursBurst = OffHoursBurstConfiguration()
    public var agentLoop = AgentLoopConfiguration()
    public var scriptedCadence = ScriptedCadenceConfiguration()
    public var trivialFlood = TrivialFloodConfiguration()
    /// Per team and per user thresholds; the most specific match wins (a user's, else the team's).
    public var overrides: [SubjectOverride] = []
    /// Sanctioned work that named detectors leave alone, each with a reason and an expiry.
    public var allowances: [Allowance] = []

    public init() {}
}

/// Detector settings for one team or one user: the defaults with the keys the override names changed.
public struct SubjectOverride: Sendable, Equatable {
    public enum Match: Sendable, Equatable, Hashable {
        case user(String)
        case team(String)
    }

    public var match: Match
    public var repetitivePrompts: RepetitivePromptsConfiguration
    public var offHoursBurst: OffHoursBurstConfiguration
    public var agentLoop: AgentLoopConfiguration
    public var scriptedCadence: ScriptedCadenceConfiguration
    public var trivialFlood: TrivialFloodConfiguration

    public init(match: Match, base: TokenWatchConfiguration) {
        self.match = match
        repetitivePrompts = base.repetitivePrompts
        offHoursBurst = base.offHoursBurst
        agentLoop = base.agentLoop
        scriptedCadence = base.scriptedCadence
        trivialFlood = base.trivialFlood
    }
}

/// Work a detector must not alert on (a sanctioned batch job, a load test), matched on the event's user,
/// agent and/or tool (every one given must match), until it expires (event time).
public struct Allowance: Sendable, Equatable {
    public var user: String?
    public var agent: String?
    public var tool: String?
    /// The detectors that leave this work alone; empty means all of them.
    public var detectors: Set<DetectorName>
    public var reason: String
    public var expires: EventTime

    public init(user: String? = nil, agent: String? = nil, tool: String? = nil, detectors: Set<DetectorName> = [],
                reason: String, expires: EventTime) {
        self.user = user
        self.agent = agent
        self.tool = tool
        self.detectors = detectors
        self.reason = reason
        self.expires = expires
    }

    public func covers(_ event: TokenEvent) -> Bool {
        event.time < expires && (user == nil || user == event.user) && (agent == nil || agent == event.agent)
            && (tool == nil || tool == event.tool)
    }
}

/// The ingest socket and the limits applied to each event.
public struct EventsConfiguration: Sendable, Equatable {
    /// Where the SUB socket binds. Default `tcp://127.0.0.1:7700`.
    public var endpoint = "tcp://127.0.0.1:7700"
    /// The topic prefix subscribed to. Default `tokens`.
    public var topic = "tokens"
    /// Messages queued in the daemon before publishers are pushed back. Default 100000.
    public var receiveHighWaterMark: Int32 = 100_000
    /// Limits on each payload (size, depth, identifier length, token counts).
    public var limits = EventDecoder.Limits()
    /// Events older than the latest event time seen minus this are counted as late (and still handled).
    /// Default 60 s.
    public var allowedLateness: Duration = .seconds(60)
    /// In `run`, events whose time is further ahead of the wall clock than this are rejected. Default 5 min.
    public var maxFuture: Duration = .seconds(300)
    /// Events older than the watermark minus this are rejected (`too_old`): they could only distort windows
    /// and baselines long closed. Default 24 h.
    public var maxAge: Duration = .seconds(86_400)

    public init() {}
}

/// The alert socket and the incident lifecycle.
public struct AlertsConfiguration: Sendable, Equatable {
    /// Where the PUB socket binds. Default `tcp://127.0.0.1:7701`.
    public var endpoint = "tcp://127.0.0.1:7701"
    /// Alerts queued per subscriber before further ones are counted as dropped. Default 10000.
    public var sendHighWaterMark: Int32 = 10_000
    /// While an incident goes on, a repeat firing alert is sent at most this often. Default 30 min.
    public var cooldown: Duration = .seconds(30 * 60)
    /// An incident is resolved once its condition has not held for this long (event time). Default 15 min.
    public var resolveAfter: Duration = .seconds(15 * 60)
    /// A finding this many times over its limit is `critical` rather than `warning`. Default 3.
    public var criticalFactor: Double = 3

    public init() {}
}

public struct LoggingConfiguration: Sendable, Equatable {
    /// One of trace, debug, info, notice, warning, error, critical. Default info.
    public var level = "info"

    public init() {}
}

/// The Prometheus endpoint.
public struct MetricsConfiguration: Sendable, Equatable {
    /// `HOST:PORT` of the HTTP endpoint serving `/metrics` and `/healthz`; empty disables it. Default 127.0.0.1:9700.
    public var listen = "127.0.0.1:9700"

    public init() {}
}

/// Checkpoints of detector state, so that a restart loses no window and no baseline.
public struct StateConfiguration: Sendable, Equatable {
    /// Where checkpoints are written. Empty: `$STATE_DIRECTORY` when systemd sets it, else no checkpoints.
    public var directory = ""
    /// How often the state is checkpointed while running (and always at shutdown). Default 60 s.
    public var checkpointInterval: Duration = .seconds(60)
    /// The most subjects (users, agents, sessions) each detector tracks; beyond it the idlest are forgotten
    /// (counted in tokenwatch_subjects_evicted_total). Bounds memory under a flood of distinct ids. Default 300000.
    public var maxTrackedSubjects = 300_000

    public init() {}
}

/// Encryption and authentication of the sockets.
public struct SecurityConfiguration: Sendable, Equatable {
    /// CURVE on the event, alert and catch-up sockets: encrypted, and only listed client keys admitted.
    public var curve = false
    /// The daemon's Z85 secret key file (`tokenwatch keygen` writes one).
    public var serverSecretKeyFile = ""
    /// Public keys (Z85) of the clients allowed to connect.
    public var allowedClientKeys: [String] = []
    /// A directory of `*.pub` files, each holding one allowed client's public key.
    public var allowedClientKeysDirectory = ""
    /// Binding a non-loopback address without CURVE is refused unless this is true. Default false.
    public var allowPlaintext = false
    /// Filled in by the runtime from the files above (the core reads no files).
    public var serverSecretKey = ""
    public var resolvedClientKeys: Set<String> = []

    public init() {}
}

/// What TokenWatch reveals about people.
public struct PrivacyConfiguration: Sendable, Equatable {
    /// Replace user ids everywhere downstream of ingest (alerts, ids, checkpoints, journal) by a keyed
    /// pseudonym, HMAC-SHA256(key, user): consumers can tell alerts about the same person apart from others
    /// without learning who it is. Default false.
    public var pseudonymizeUsers = false
    /// The file holding the key (at least 32 bytes), read at start and on reload. Required when pseudonymising.
    public var keyFile = ""
    /// The key's bytes, filled in from `keyFile` by the runtime (the core reads no files).
    public var key: [UInt8] = []

    public init() {}
}

/// The alert journal: every published alert, kept for catch-up.
public struct JournalConfiguration: Sendable, Equatable {
    public enum FsyncPolicy: String, Sendable, CaseIterable {
        /// After every batch that published alerts (group commit): nothing acknowledged is lost.
        case always
        /// At most once a second: a crash loses at most the last second.
        case interval
        /// Left to the kernel.
        case never
    }

    public var fsync = FsyncPolicy.interval
    /// A segment file is closed and a new one started past this size. Default 16 MiB.
    public var maxSegmentBytes = 16 << 20
    /// Segments kept; the oldest is deleted beyond this. Default 16.
    public var maxSegments = 16
    /// The most recent alerts also kept in memory, to answer catch-up without reading files. Default 10000.
    public var memoryEntries = 10_000

    public init() {}
}

/// The catch-up socket: "alerts since seq N", answered from the journal.
public struct CatchupConfiguration: Sendable, Equatable {
    /// Where the ROUTER socket binds; empty disables catch-up. Default `tcp://127.0.0.1:7702`.
    public var endpoint = "tcp://127.0.0.1:7702"
    /// The most alerts in one reply. Default 500.
    public var maxBatch = 500

    public init() {}
}

public struct RepetitivePromptsConfiguration: Sendable, Equatable {
    public var enabled = true
    /// How far back prompts are compared. Default 1 h.
    public var window: Duration = .seconds(3600)
    /// Same or nearly the same prompts within the window that make an incident. Default 8.
    public var minRepeats = 8
    /// Estimated Jaccard similarity of words and word pairs from which two prompts count as the same. Default 0.6.
    public var similarity = 0.6
    /// Distinct prompt clusters remembered per user; the least recent is forgotten first. Default 64.
    public var maxClustersPerUser = 64
    /// Prompts of fewer words ("ok", "continue") are left to `trivial_flood`. Default 4.
    public var minWords = 4

    public init() {}
}

/// Work hours are local times of day: 09:00 is `minutesFromMidnight` 540.
public struct OffHoursBurstConfiguration: Sendable, Equatable {
    public var enabled = true
    /// The span over which off-hours token volume is summed. Default 1 h.
    public var window: Duration = .seconds(3600)
    /// Start of the working day, local time, minutes after midnight. Default 09:00.
    public var workStartMinute = 9 * 60
    /// End of the working day, local time, minutes after midnight. Default 18:00.
    public var workEndMinute = 18 * 60
    /// Working days, 0 = Monday … 6 = Sunday. Default Monday to Friday.
    public var workDays: Set<Int> = [0, 1, 2, 3, 4]
    /// Time zone for users whose events carry no `tz`. Default UTC.
    public var timeZone = "UTC"
    /// The absolute floor: off-hours tokens within the window below this never alert. Default 200000.
    public var minTokens: Int64 = 200_000
    /// How many times the user's normal hourly volume a burst must reach. Default 5.
    public var multiplier = 5.0
    /// How many days of hourly volume the personal baseline looks back. Default 7.
    public var baselineDays = 7
    /// The baseline is the user's N-th busiest (unalerted) hour within those days: their heavy normal, robust
    /// to one or two outliers. Default 3.
    public var baselineRank = 3
    /// Hours with the person's own calls (not only their agents') needed before a personal baseline is
    /// trusted. Default 8.
    public var warmupActiveHours = 8
    /// The baseline of users still warming up, tokens per hour: a conservative prior, a heavy user's normal hour. Default 100000.
    public var defaultBaselineTokensPerHour: Int64 = 100_000

    public init() {}
}

/// A person's own calls arriving like clockwork: a script padding usage under their name.
public struct ScriptedCadenceConfiguration: Sendable, Equatable, Codable {
    public var enabled = true
    /// Only calls within this span count. Default 1 h.
    public var window: Duration = .seconds(3600)
    /// Consecutive calls (in one session, or without one) whose spacing is measured. Default 8.
    public var minCalls = 8
    /// The mean spacing must be at most this (slower schedules are not padding). Default 5 min.
    public var maxInterval: Duration = .seconds(300)
    /// The spacing's coefficient of variation (standard deviation ÷ mean) must be at most this. People
    /// vary by 30% and more; a schedule with a few percent of jitter by under 2%. Default 0.02.
    public var maxVariation = 0.02

    public init() {}
}

/// Floods of trivial prompts ("ok", "continue") at a rate no conversation has.
public struct TrivialFloodConfiguration: Sendable, Equatable, Codable {
    public var enabled = true
    /// The span over which trivial calls are counted. Default 10 min.
    public var window: Duration = .seconds(600)
    /// Trivial calls within the window that make an incident. Default 40.
    public var minCalls = 40
    /// A prompt of at most this many words is trivial. Default 3.
    public var maxPromptWords = 3
    /// Without prompt text, a call of at most this many input tokens is trivial. Default 20.
    public var maxInputTokens: Int64 = 20

    public init() {}
}

public struct AgentLoopConfiguration: Sendable, Equatable {
    public var enabled = true
    /// How far back loop iterations are counted and trigger edges are remembered. Default 10 min.
    public var window: Duration = .seconds(600)
    /// Iterations of one loop within the window that make an incident. Default 20.
    public var minIterations = 20
    /// The longest trigger cycle looked for (A→B→C→A has length 3). Default 4.
    public var maxCycleLength = 4

    public init() {}
}
