/// The ingest socket and the limits applied to each event.
public struct EventsConfiguration: Sendable, Equatable {
    /// Where the SUB socket binds. Default `tcp://127.0.0.1:7700`.
    public var endpoint = "tcp://127.0.0.1:7700"
    /// The topic prefix subscribed to. Default `tokens`.
    public var topic = "tokens"
    /// The virtual shards (0–63, ``VirtualShard``) this daemon owns; it subscribes to `<topic>.sNN` for each.
    /// Empty (the default): it subscribes to `<topic>` and takes every event, sharded or not.
    public var shards: [Int] = []
    /// Messages queued in the daemon before publishers are pushed back. Default 100000.
    public var receiveHighWaterMark: Int32 = 100_000
    /// Limits on each payload (size, depth, identifier length, token counts).
    public var limits = EventDecoder.Limits()
    /// How many recent event ids are remembered to refuse an event sent again (`duplicate_id`); 0 turns the
    /// check off. Default 100000.
    public var duplicateIDWindow = 100_000
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

extension EventsConfiguration {
    /// The prefixes the event socket subscribes to.
    public var subscriptions: [String] {
        shards.isEmpty ? [topic] : shards.map { VirtualShard.topic($0, base: topic) }
    }
}

extension EventsConfiguration: SectionSettings {
    static let keys = [
        "endpoint", "topic", "shards", "receive_high_water_mark", "max_message_bytes", "max_json_depth",
        "max_identifier_bytes",
        "max_tokens_per_event", "normalize_identities", "duplicate_id_window", "allowed_lateness", "max_future",
        "max_age",
    ]

    mutating func read(_ section: inout ConfigurationSection) {
        endpoint = section.endpoint("endpoint") ?? endpoint
        topic = section.string("topic") ?? topic
        if let listed = section.integers("shards", 0...(VirtualShard.count - 1)) {
            shards = Array(Set(listed)).sorted()
        }
        receiveHighWaterMark =
            section.integer("receive_high_water_mark", 0...10_000_000).map(Int32.init) ?? receiveHighWaterMark
        limits.maxPayloadBytes = section.integer("max_message_bytes", 256...(16 << 20)) ?? limits.maxPayloadBytes
        limits.maxDepth = section.integer("max_json_depth", 2...1024) ?? limits.maxDepth
        limits.maxIdentifierBytes = section.integer("max_identifier_bytes", 8...65_536) ?? limits.maxIdentifierBytes
        allowedLateness = section.duration("allowed_lateness") ?? allowedLateness
        maxFuture = section.duration("max_future") ?? maxFuture
        maxAge = section.duration("max_age") ?? maxAge
        limits.maxTokensPerEvent =
            section.integer64("max_tokens_per_event", 1...1_000_000_000) ?? limits.maxTokensPerEvent
        limits.normalizesIdentities = section.bool("normalize_identities") ?? limits.normalizesIdentities
        duplicateIDWindow = section.integer("duplicate_id_window", 0...10_000_000) ?? duplicateIDWindow
    }

    var yamlLines: [String] {
        [
            "endpoint: \(YAMLScalar.quoted(endpoint))",
            "topic: \(YAMLScalar.quoted(topic))",
            "shards: \(YAMLScalar.list(shards.map(String.init)))",
            "receive_high_water_mark: \(receiveHighWaterMark)",
            "max_message_bytes: \(limits.maxPayloadBytes)",
            "max_json_depth: \(limits.maxDepth)",
            "max_identifier_bytes: \(limits.maxIdentifierBytes)",
            "max_tokens_per_event: \(limits.maxTokensPerEvent)",
            "normalize_identities: \(limits.normalizesIdentities)",
            "duplicate_id_window: \(duplicateIDWindow)",
            "allowed_lateness: \(YAMLScalar.duration(allowedLateness))",
            "max_future: \(YAMLScalar.duration(maxFuture))",
            "max_age: \(YAMLScalar.duration(maxAge))",
        ]
    }
}
