/// `tokenwatch bridge`: the OTLP/HTTP receiver that turns model calls into token events.
public struct BridgeConfiguration: Sendable, Equatable {
    /// `HOST:PORT` the OTLP/HTTP receiver listens on (`POST /v1/traces`, `/v1/logs`; `GET /metrics`, `/healthz`).
    /// Default 127.0.0.1:4318, OTLP/HTTP's own port.
    public var listen = "127.0.0.1:4318"
    /// The daemon's event socket the bridge connects to and publishes on; several (comma-separated) for
    /// daemons that share the stream by shard, or replicas. Default `tcp://127.0.0.1:7700`.
    public var connect = "tcp://127.0.0.1:7700"
    /// The daemons' `events.topic`: each event goes under it with its user's virtual shard appended
    /// (`tokens.s07`), which a daemon without shards takes as well. Default `tokens`.
    public var topic = "tokens"
    /// The largest request body accepted, after gzip is undone; a larger one gets 413. Default 8 MiB.
    public var maxBodyBytes = 8 << 20
    /// Open connections at most (lowered to fit the process's descriptor limit). Beyond it, the connection that
    /// has gone longest without a request served is closed for the newcomer. Default 1024.
    public var maxConnections = 1024
    /// A request must arrive whole (head and body) within this time of its first byte, or its connection is
    /// closed. Default 10 s.
    public var requestTimeout: Duration = .seconds(10)
    /// How long a log record that describes a model call whose span carries it (`gen_ai.user.message`,
    /// `gen_ai.client.inference.operation.details`, …) waits for that span, to be merged into its call. Default
    /// 10 s: SDKs batch spans for 5 s.
    public var joinWait: Duration = .seconds(10)
    /// Whether a W3C baggage header recorded as an attribute (`baggage`, or `http.request.header.baggage` where an
    /// HTTP instrumentation captures that header) gives the user from its `user.id` entry, when none of the
    /// user attributes is present. Default false: baggage comes from whoever sent the request.
    public var userFromBaggage = false
    /// Which attribute carries each field of a token event, tried in order (a span's own, then its resource's).
    public var attributes = OTLPAttributeNames()
    /// Spans with these `gen_ai.operation.name` values summarise calls made beneath them (an agent's whole
    /// invocation, a tool run): their token counts are their children's, so they are not model calls.
    /// Default `[invoke_agent, create_agent, execute_tool]`.
    public var skipOperations = ["invoke_agent", "create_agent", "execute_tool"]

    public init() {}
}

/// The attribute names read for each field of a token event, first match wins. The defaults cover the
/// OpenTelemetry GenAI semantic conventions (current names, and the pre-1.37 ones still widely deployed);
/// LiteLLM's, OpenRouter's and Langfuse-instrumented exports need only their names added.
public struct OTLPAttributeNames: Sendable, Equatable {
    /// An application's own names first, then Traceloop's association property, then the `user` parameter
    /// of the model request as Traceloop (`gen_ai.user`) and OpenLIT (`gen_ai.request.user`) record it.
    public var user = [
        "user.id", "enduser.id", "traceloop.association.properties.user_id", "gen_ai.user", "gen_ai.request.user",
    ]
    public var team = ["tokenwatch.team", "team", "traceloop.association.properties.team_id"]
    public var agent = ["gen_ai.agent.id", "gen_ai.agent.name"]
    public var session = ["gen_ai.conversation.id", "session.id"]
    public var model = ["gen_ai.request.model", "gen_ai.response.model"]
    public var inputTokens = ["gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens"]
    public var outputTokens = ["gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens"]
    /// Prompt text exists only where an application opted in to recording it.
    public var prompt = ["gen_ai.input.messages", "gen_ai.prompt"]
    /// The answer, likewise opt-in: only its hash is sent (`output_hash`), to see outputs fed back.
    public var output = ["gen_ai.output.messages", "gen_ai.completion"]

    public init() {}

    static let keys = [
        "user", "team", "agent", "session", "model", "input_tokens", "output_tokens", "prompt", "output",
    ]

    /// Each field with its key, in file order.
    var fields: [(String, WritableKeyPath<OTLPAttributeNames, [String]>)] {
        [
            ("user", \.user), ("team", \.team), ("agent", \.agent), ("session", \.session), ("model", \.model),
            ("input_tokens", \.inputTokens), ("output_tokens", \.outputTokens), ("prompt", \.prompt),
            ("output", \.output),
        ]
    }
}

extension BridgeConfiguration: DeclaredSettings {
    static var declaredKeys: [SettingKey<Self>] {
        [
            .hostPort("listen", \.listen, example: "127.0.0.1:4318", emptyDisables: false),
            .custom(
                "connect", \.connect,
                read: { settings, section in settings.connect = section.endpoints("connect") ?? settings.connect },
                lines: { ["connect: \(YAMLScalar.quoted($0.connect))"] }),
            .nonEmptyText("topic", \.topic),
            .integer("max_body_bytes", \.maxBodyBytes, 1024...(256 << 20)),
            .integer("max_connections", \.maxConnections, 16...1_000_000),
            .duration("request_timeout", \.requestTimeout),
            .duration("join_wait", \.joinWait),
            .bool("user_from_baggage", \.userFromBaggage),
            .custom(
                "skip_operations", \.skipOperations,
                read: { settings, section in
                    settings.skipOperations =
                        section.strings("skip_operations", what: "a list of operation names") { _ in nil }
                        ?? settings.skipOperations
                }, lines: { ["skip_operations: \(YAMLScalar.list($0.skipOperations.map(YAMLScalar.quoted)))"] }),
            .custom("attributes", \.attributes, read: { $0.readAttributes(&$1) }, lines: \.attributeLines),
        ]
    }

    func check(_ section: inout ConfigurationSection) {
        if requestTimeout < .milliseconds(100) || requestTimeout > .seconds(600) {
            section.report("request_timeout", "must be between 100ms and 10m")
        }
        if joinWait > .seconds(300) { section.report("join_wait", "must be at most 5m") }
    }

    /// The `attributes` subsection: for each field of a model call, the attribute names it is read from.
    private mutating func readAttributes(_ section: inout ConfigurationSection) {
        section.subsection("attributes", keys: OTLPAttributeNames.keys) { attributes in
            for (key, path) in self.attributes.fields {
                if let names = attributes.strings(
                    key, what: "a list of attribute names", { name in name.isEmpty ? "must not be empty" : nil })
                {
                    self.attributes[keyPath: path] = names
                }
            }
        }
    }

    private var attributeLines: [String] {
        ["attributes:"]
            + attributes.fields.map { key, path in
                "  \(key): \(YAMLScalar.list(attributes[keyPath: path].map(YAMLScalar.quoted)))"
            }
    }
}
