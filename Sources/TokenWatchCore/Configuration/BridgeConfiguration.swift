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

extension BridgeConfiguration: SectionSettings {
    static let keys = [
        "listen", "connect", "topic", "max_body_bytes", "max_connections", "request_timeout", "join_wait",
        "user_from_baggage", "attributes", "skip_operations",
    ]

    mutating func read(_ section: inout ConfigurationSection) {
        listen = section.hostPort("listen", example: "127.0.0.1:4318", emptyDisables: false) ?? listen
        connect = section.endpoints("connect") ?? connect
        topic = section.string("topic") ?? topic
        maxBodyBytes = section.integer("max_body_bytes", 1024...(256 << 20)) ?? maxBodyBytes
        maxConnections = section.integer("max_connections", 16...1_000_000) ?? maxConnections
        requestTimeout = section.duration("request_timeout") ?? requestTimeout
        if requestTimeout < .milliseconds(100) || requestTimeout > .seconds(600) {
            section.report("request_timeout", "must be between 100ms and 10m")
        }
        joinWait = section.duration("join_wait") ?? joinWait
        userFromBaggage = section.bool("user_from_baggage") ?? userFromBaggage
        if joinWait > .seconds(300) { section.report("join_wait", "must be at most 5m") }
        skipOperations =
            section.strings("skip_operations", what: "a list of operation names") { _ in nil }
            ?? skipOperations
        section.subsection("attributes", keys: OTLPAttributeNames.keys) { attributes in
            for (key, path) in self.attributes.fields {
                if let names = attributes.strings(
                    key, what: "a list of attribute names",
                    { name in
                        name.isEmpty ? "must not be empty" : nil
                    })
                {
                    self.attributes[keyPath: path] = names
                }
            }
        }
    }

    var yamlLines: [String] {
        var lines = [
            "listen: \(YAMLScalar.quoted(listen))",
            "connect: \(YAMLScalar.quoted(connect))",
            "topic: \(YAMLScalar.quoted(topic))",
            "max_body_bytes: \(maxBodyBytes)",
            "max_connections: \(maxConnections)",
            "request_timeout: \(YAMLScalar.duration(requestTimeout))",
            "join_wait: \(YAMLScalar.duration(joinWait))",
            "user_from_baggage: \(userFromBaggage)",
            "skip_operations: \(YAMLScalar.list(skipOperations.map(YAMLScalar.quoted)))",
            "attributes:",
        ]
        for (key, path) in attributes.fields {
            lines.append("  \(key): \(YAMLScalar.list(attributes[keyPath: path].map(YAMLScalar.quoted)))")
        }
        return lines
    }
}
