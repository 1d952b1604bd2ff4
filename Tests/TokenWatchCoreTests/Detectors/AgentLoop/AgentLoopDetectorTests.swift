import Testing

@testable import TokenWatchCore

@Suite("agent_loop")
struct AgentLoopDetectorTests {
    var detector = AgentLoopDetector(configuration: AgentLoopConfiguration())

    mutating func feed(_ events: [TokenEvent]) -> [Finding] {
        var findings: [Finding] = []
        for event in events { detector.ingest(event, into: &findings) }
        return findings
    }

    @Test mutating func anAgentTriggeringItselfTwentyTimesWithinTheWindowIsALoop() {
        let events = (0..<20).map {
            event("alice", at: monday.adding(seconds: Int64($0) * 20), id: "l\($0)", agent: "looper", parent: "looper")
        }
        #expect(feed(Array(events.prefix(19))).isEmpty)
        let findings = feed([events[19]])
        #expect(findings.count == 1)
        #expect(findings[0].subject == AlertSubject(user: "alice", agent: "looper"))
        #expect(findings[0].observed[0].1 == .text("self_trigger"))
        #expect(findings[0].observed[2].1 == .integer(20))
        // 20 iterations over 380 s (6.33 min): 3.2 a minute.
        #expect(findings[0].observed[3].1 == .number(3.2))
        #expect(findings[0].windowStart == monday)
    }

    @Test mutating func twoAgentsTriggeringEachOtherAreOneLoopWithBothMembers() {
        // bob → planner, then planner → critic → planner → …: edges 0 and 1 close no cycle, every later one
        // does, so the 20th closing edge is edge 21, at 210 s.
        var events: [TokenEvent] = [event("bob", at: monday, agent: "planner", parent: "bob")]
        for n in 1...21 {
            let (agent, parent) = n % 2 == 1 ? ("critic", "planner") : ("planner", "critic")
            events.append(event("bob", at: monday.adding(seconds: Int64(n) * 10), agent: agent, parent: parent))
        }
        let findings = feed(events)
        #expect(findings.count == 1)
        #expect(findings.first?.time == monday.adding(seconds: 210))
        #expect(findings.first?.observed[1].1 == .list(["critic", "planner"]))
        #expect(findings.first?.key == "cycle|bob|critic,planner")
    }

    /// Every developer has a `code-agent`: two people's sessions, twelve self-triggers each within the window,
    /// are two sessions under the threshold of twenty, not one loop of twenty-four.
    @Test mutating func agentsOfTheSameNameBelongingToDifferentPeopleAreNotOneLoop() {
        var events: [TokenEvent] = []
        for n in 0..<12 {
            for user in ["alice", "bob"] {
                events.append(
                    event(
                        user, at: monday.adding(seconds: Int64(n) * 20), id: "\(user)\(n)", agent: "code-agent",
                        parent: "code-agent"))
            }
        }
        #expect(feed(events).isEmpty)
        // Alice's loop goes on alone: it fires on her own 20th self-trigger, citing only her events.
        let more = (12..<20).map {
            event(
                "alice", at: monday.adding(seconds: Int64($0) * 20), id: "alice\($0)", agent: "code-agent",
                parent: "code-agent")
        }
        let findings = feed(more)
        #expect(findings.count == 1)
        #expect(findings.first?.subject == AlertSubject(user: "alice", agent: "code-agent"))
        #expect(findings.first?.evidence.allSatisfy { $0.hasPrefix("alice") } == true)
    }

    @Test mutating func threeAgentCyclesAreFoundAndNamedFromTheirSmallestMember() {
        let ring = ["coder", "reviewer", "planner"]  // planner → coder → reviewer → planner
        var events: [TokenEvent] = []
        for n in 0..<40 {
            let agent = ring[n % 3]
            let parent = ring[(n + 2) % 3]
            events.append(event("carol", at: monday.adding(seconds: Int64(n) * 10), agent: agent, parent: parent))
        }
        let findings = feed(events)
        // Edges 0 and 1 close nothing; edge 2 (planner → coder… closing reviewer → planner) and every later
        // one close the cycle, so the 20th closing edge is event 21.
        #expect(findings.first?.time == monday.adding(seconds: 210))
        #expect(findings.first?.observed[1].1 == .list(["coder", "reviewer", "planner"]))
    }

    /// A four-agent ring behind a hub that fans out to twenty workers: the search reaches more agents than it
    /// compares by name one by one, and still finds the ring through the one worker on it.
    @Test mutating func fourAgentCyclesAreFoundBehindAWideFanOut() {
        var events: [TokenEvent] = (0..<20).map { worker in
            let name = worker < 10 ? "w0\(worker)" : "w\(worker)"
            return event("erin", at: monday.adding(seconds: Int64(worker)), agent: name, parent: "hub")
        }
        // hub → w13 → relay → closer → hub, an edge every 10 s from 20 s on.
        let ring = [("w13", "hub"), ("relay", "w13"), ("closer", "relay"), ("hub", "closer")]
        for n in 0..<30 {
            let (agent, parent) = ring[n % 4]
            events.append(
                event("erin", at: monday.adding(seconds: 20 + Int64(n) * 10), agent: agent, parent: parent))
        }
        let findings = feed(events)
        // Ring edges 0 to 2 close nothing (w13, relay and closer trigger nothing yet); edge 3 and every later
        // one close the ring, so the 20th closing edge is ring edge 22, at 20 + 220 s.
        #expect(findings.first?.time == monday.adding(seconds: 240))
        #expect(findings.first?.observed[1].1 == .list(["closer", "hub", "w13", "relay"]))
        #expect(findings.first?.key == "cycle|erin|closer,hub,w13,relay")
    }

    @Test mutating func outputFedBackAsInputIsALoop() {
        var events: [TokenEvent] = []
        for n in 0..<21 {
            events.append(
                event(
                    "dan", at: monday.adding(seconds: Int64(n) * 15), agent: "echo", parent: "dan",
                    promptHash: "h\(n)", outputHash: "h\(n + 1)"))
        }
        let findings = feed(events)
        #expect(findings.count == 1)  // call n's prompt is call n−1's output from the second call on
        #expect(findings.first?.observed[0].1 == .text("output_feedback"))
    }

    @Test mutating func aPipelineWithOccasionalRetriesIsNotALoop() {
        // Every 15 minutes for a day: triage (by the user), sometimes retried once, then summarize.
        var events: [TokenEvent] = []
        for run in 0..<96 {
            let start = monday.adding(minutes: Int64(run) * 15)
            events.append(event("ops", at: start, agent: "triage", parent: "ops", outputHash: "t\(run)"))
            if run % 10 == 0 {
                events.append(event("ops", at: start.adding(seconds: 30), agent: "triage", parent: "triage"))
            }
            events.append(
                event("ops", at: start.adding(seconds: 60), agent: "summarize", parent: "triage", promptHash: "s\(run)")
            )
        }
        #expect(feed(events).isEmpty)
    }

    @Test func cyclesHaveOneNameWhicheverMemberStartsThem() {
        #expect(LoopKey.canonicalCycle(["c", "a", "b"]) == ["a", "b", "c"])
        #expect(LoopKey.canonicalCycle(["b", "c", "a"]) == ["a", "b", "c"])
    }
}
