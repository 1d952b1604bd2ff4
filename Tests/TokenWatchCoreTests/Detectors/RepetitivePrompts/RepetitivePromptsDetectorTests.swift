import Foundation
import Testing

@testable import TokenWatchCore

@Suite("repetitive_prompts")
struct RepetitivePromptsDetectorTests {
    var detector = RepetitivePromptsDetector(configuration: RepetitivePromptsConfiguration())

    /// Eight wordings of one request (case, punctuation, a number, a dropped, swapped or added word): one cluster.
    static let budgetReportVariants = [
        "Please summarize the quarterly budget report for the new office",
        "please summarize the QUARTERLY budget report for the new office!!",
        "Please summarize the quarterly budget report for the new office #42",
        "Please summarize quarterly budget report for the new office",
        "Please summarize the budget quarterly report for the new office",
        "Please kindly summarize the quarterly budget report for the new office",
        "Please summarize the quarterly budget report for the new office now",
        "please summarize the quarterly budget report, for the new office",
    ]

    mutating func feed(_ events: [TokenEvent]) -> [Finding] {
        var findings: [Finding] = []
        for event in events { detector.ingest(event, into: &findings) }
        return findings
    }

    @Test mutating func theEighthSamePromptWithinAnHourIsAFinding() {
        let events = (0..<8).map { n in
            event(
                "alice", at: monday.adding(minutes: Int64(n) * 5), prompt: "Triage my inbox and draft replies",
                id: "e\(n)")
        }
        let before = feed(Array(events.prefix(7)))
        #expect(before.isEmpty)
        let findings = feed([events[7]])
        #expect(findings.count == 1)
        let finding = findings[0]
        #expect(finding.subject == AlertSubject(user: "alice"))
        #expect(finding.time == monday.adding(minutes: 35))
        #expect(finding.windowStart == monday)
        #expect(finding.observed[0].1 == .integer(8))
        #expect(finding.observed[1].1 == .integer(1))  // one variant: exact repeats
        #expect(finding.evidence == ["e3", "e4", "e5", "e6", "e7"])
    }

    @Test mutating func variedAndRewordedRepeatsCount() {
        let variants = Self.budgetReportVariants
        let findings = feed(
            variants.enumerated().map { event("bob", at: monday.adding(minutes: Int64($0.offset)), prompt: $0.element) }
        )
        #expect(findings.count == 1)
        #expect(findings.first?.observed[0].1 == .integer(8))
        #expect(findings.first?.observed[1].1 == .integer(6))  // the case and comma variants normalise to the first
    }

    @Test mutating func reRunningAPromptTwoOrThreeTimesIsNormal() {
        let prompts = [
            "Draft a reply to the vendor about the delayed shipment",
            "Explain why the checkout latency doubled after Tuesday's release",
            "Write unit tests for the invoice parser edge cases",
            "Summarize the customer survey comments on onboarding",
            "Translate the pricing page into German",
            "Compare the two proposals for the warehouse migration",
            "List risks in the new retention policy",
            "Refactor this function to avoid the nested loops",
            "Outline a talk on incident postmortems for new hires",
            "Estimate the cost of moving search to a managed service",
        ]
        var events: [TokenEvent] = []
        for n in 0..<30 {
            events.append(event("carol", at: monday.adding(minutes: Int64(n)), prompt: prompts[n / 3]))
        }
        #expect(feed(events).isEmpty)
    }

    @Test mutating func repeatsSpreadOverMoreThanTheWindowDoNotAddUp() {
        // One every 9 minutes: at most 7 fall inside any hour (0, 9, …, 54 min).
        let events = (0..<20).map {
            event("dave", at: monday.adding(minutes: Int64($0) * 9), prompt: "same text every time")
        }
        #expect(feed(events).isEmpty)
    }

    @Test mutating func exactRepeatsAreFoundFromPromptHashesAlone() {
        let events = (0..<8).map { event("erin", at: monday.adding(minutes: Int64($0)), promptHash: "sha256:abc") }
        #expect(feed(events).count == 1)
    }

    @Test mutating func aCheckpointKeepsClustersSeenOnceAndRepeated() throws {
        // Seven repeats of one prompt (a0…a6, every 5 minutes from 00:00) and one other prompt seen once (b0 at
        // 00:01), then a checkpoint round trip: the eighth repeat still fires with the first window and the
        // last five ids, and the prompt seen once keeps its time, so its own eighth occurrence reports a window
        // from 00:01.
        let a = "Triage my inbox and draft replies"
        let b = "Summarise yesterday's standup notes for the team"
        var events = (0..<7).map { event("carol", at: monday.adding(minutes: Int64($0) * 5), prompt: a, id: "a\($0)") }
        events.insert(event("carol", at: monday.adding(minutes: 1), prompt: b, id: "b0"), at: 1)
        #expect(feed(events).isEmpty)

        detector = try JSONDecoder().decode(RepetitivePromptsDetector.self, from: JSONEncoder().encode(detector))

        let first = feed([event("carol", at: monday.adding(minutes: 35), prompt: a, id: "a7")])
        #expect(first.count == 1)
        #expect(first.first?.windowStart == monday)
        #expect(first.first?.observed[0].1 == .integer(8))
        #expect(first.first?.evidence == ["a3", "a4", "a5", "a6", "a7"])

        let second = feed(
            (1..<8).map { event("carol", at: monday.adding(minutes: 35 + Int64($0)), prompt: b, id: "b\($0)") })
        #expect(second.count == 1)
        #expect(second.first?.time == monday.adding(minutes: 42))
        #expect(second.first?.windowStart == monday.adding(minutes: 1))
        #expect(second.first?.observed[0].1 == .integer(8))
        #expect(second.first?.observed[1].1 == .integer(1))
        #expect(second.first?.evidence == ["b3", "b4", "b5", "b6", "b7"])
    }

    @Test mutating func nearDuplicatesStillMatchAfterOlderClustersExpire() {
        // Three clusters (00:00, 00:30, 00:50). At 01:05 the first has left the 1-hour window and is removed,
        // so the later two move down in the user's storage; reworded repeats of the 00:30 prompt (compared by
        // sketch, not by exact hash) must still find it: the eighth, at 01:11, fires with the window from 00:30.
        let variants = Self.budgetReportVariants
        var events = [
            event("dana", at: monday, prompt: "Draft a reply to the vendor about the delayed shipment"),
            event("dana", at: monday.adding(minutes: 30), prompt: variants[0]),
            event("dana", at: monday.adding(minutes: 50), prompt: "Translate the pricing page into German"),
        ]
        events += (1..<8).map { event("dana", at: monday.adding(minutes: 64 + Int64($0)), prompt: variants[$0]) }
        let findings = feed(events)
        #expect(findings.count == 1)
        #expect(findings.first?.time == monday.adding(minutes: 71))
        #expect(findings.first?.windowStart == monday.adding(minutes: 30))
        #expect(findings.first?.observed[0].1 == .integer(8))
        #expect(findings.first?.observed[1].1 == .integer(6))
    }

    @Test mutating func aClusterFoundExpiredStaysGoneForALateEvent() {
        // Seven calls with one prompt by 00:06, four other prompts at 00:30-00:33; at 01:07 a sixth prompt finds
        // the first cluster out of the 1-hour window (it is marked expired and, one in six, not yet removed). A
        // late call with the first prompt, stamped 00:20, then starts a new cluster: the expired one does not
        // come back, though 00:06 is inside the late call's own window. With seven more late calls the new
        // cluster fires, counting from 00:20.
        let x = "Triage my inbox and draft replies"
        var events = (0..<7).map { event("erin", at: monday.adding(minutes: Int64($0)), prompt: x) }
        let others = [
            "Translate the pricing page into German",
            "Compare the two proposals for the warehouse migration",
            "List risks in the new retention policy",
            "Write unit tests for the invoice parser edge cases",
        ]
        events += others.enumerated().map {
            event("erin", at: monday.adding(minutes: 30 + Int64($0.offset)), prompt: $0.element)
        }
        events.append(
            event(
                "erin", at: monday.adding(minutes: 67), prompt: "Summarize the customer survey comments on onboarding"))
        #expect(feed(events).isEmpty)
        #expect(feed([event("erin", at: monday.adding(minutes: 20), prompt: x)]).isEmpty)
        let findings = feed((1...7).map { event("erin", at: monday.adding(minutes: 20 + Int64($0)), prompt: x) })
        #expect(findings.count == 1)
        #expect(findings.first?.windowStart == monday.adding(minutes: 20))
        #expect(findings.first?.observed[0].1 == .integer(8))
    }

    @Test mutating func atTheCapTheStalestClusterIsForgottenAndTheOthersStillMatch() {
        // Three clusters at most, two repeats make a finding. A (00:00), B (00:01), C (00:02), A again (00:03,
        // a finding); D (00:04) makes room by forgetting B, the stalest, which sits between A and C, so C's
        // sketch moves; a reworded C (00:05), matched by sketch only, is C's second occurrence (a finding
        // with two variants); B again (00:06) starts over (no finding).
        var configuration = RepetitivePromptsConfiguration()
        configuration.maxClustersPerUser = 3
        configuration.minRepeats = 2
        detector = RepetitivePromptsDetector(configuration: configuration)
        let a = "Draft a reply to the vendor about the delayed shipment"
        let b = "Explain why the checkout latency doubled after the release"
        let d = "List risks in the new retention policy for customer records"
        let prompts = [a, b, Self.budgetReportVariants[0], a, d, Self.budgetReportVariants[3], b]
        var findings: [(minute: Int, finding: Finding)] = []
        for (minute, prompt) in prompts.enumerated() {
            for finding in feed([event("fay", at: monday.adding(minutes: Int64(minute)), prompt: prompt)]) {
                findings.append((minute, finding))
            }
        }
        #expect(findings.map(\.minute) == [3, 5])
        #expect(findings.last?.finding.observed[0].1 == .integer(2))
        #expect(findings.last?.finding.observed[1].1 == .integer(2))
        #expect(findings.last?.finding.windowStart == monday.adding(minutes: 2))
    }
}
