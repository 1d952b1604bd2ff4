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

extension EventsConfiguration: DeclaredSettings {
    static var declaredKeys: [SettingKey<Self>] {
        [
            .endpoint("endpoint", \.endpoint),
            .nonEmptyText("topic", \.topic),
            .custom(
                "shards", \.shards,
                read: { settings, section in
                    if let listed = section.integers("shards", 0...(VirtualShard.count - 1)) {
                        settings.shards = Array(Set(listed)).sorted()
                    }
                }, lines: { ["shards: \(YAMLScalar.list($0.shards.map(String.init)))"] }),
            .integer("receive_high_water_mark", \.receiveHighWaterMark, 0...10_000_000),
            .integer("max_message_bytes", \.limits.maxPayloadBytes, 256...(16 << 20)),
            .integer("max_json_depth", \.limits.maxDepth, 2...1024),
            .integer("max_identifier_bytes", \.limits.maxIdentifierBytes, 8...65_536),
            .integer("max_tokens_per_event", \.limits.maxTokensPerEvent, 1...1_000_000_000),
            .bool("normalize_identities", \.limits.normalizesIdentities),
            .integer("duplicate_id_window", \.duplicateIDWindow, 0...10_000_000),
            .duration("allowed_lateness", \.allowedLateness),
            .duration("max_future", \.maxFuture),
            .duration("max_age", \.maxAge),
        ]
    }
}
