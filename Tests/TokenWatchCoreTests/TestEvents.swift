@testable import TokenWatchCore

/// Event times used across the tests: Monday 2026-11-02T00:00:00Z (20759 days after the epoch).
let monday = EventTime(milliseconds: Int64(20759) * 86_400_000)

extension EventTime {
    func adding(minutes: Int64) -> EventTime { self + .seconds(minutes * 60) }
    func adding(seconds: Int64) -> EventTime { self + .seconds(seconds) }
}

func event(
    _ user: String, at time: EventTime, tokens: Int64 = 100, prompt: String? = nil, id: String? = nil,
    agent: String? = nil, parent: String? = nil, tz: String? = nil, promptHash: String? = nil, outputHash: String? = nil
) -> TokenEvent {
    TokenEvent(
        time: time, user: user, inputTokens: tokens, outputTokens: 0, id: id, agent: agent, parent: parent,
        timeZone: tz,
        prompt: prompt.map { PromptFingerprint(text: $0) } ?? promptHash.map { PromptFingerprint(opaqueHash: $0) },
        promptHash: promptHash, outputHash: outputHash)
}

/// The first firing alert of each incident of `detector` when an engine with `configuration` runs `events` in
/// time order (a pattern that goes on fires again once per cooldown, as the same incident).
func firstFirings(_ detector: DetectorName, _ events: [TokenEvent], configuration: TokenWatchConfiguration)
    -> [Alert]
{
    var engine = DetectionEngine(configuration: configuration)
    var alerts: [Alert] = []
    for e in events.sorted(by: { $0.time < $1.time }) { engine.process(e, into: &alerts) }
    var seen: Set<String> = []
    return alerts.filter { $0.detector == detector && $0.state == .firing && seen.insert($0.incident).inserted }
}
