/// Calls and tokens by progress judgement: one team's (or label's) spending on one day, or over any span.
///
/// Held in one vector, so that counting a call is two additions and merging two usages one, with nothing on
/// the heap: the engine counts every event into one of these.
public struct JudgedUsage: Sendable, Equatable {
    /// Lanes 0–2: the calls judged progress, churn and unknown; lanes 4–6: their tokens.
    private var lanes = SIMD8<UInt64>()

    public init() {}

    public mutating func add(_ judgement: ProgressJudgement, tokens count: Int64) {
        let index = judgement.index
        lanes[index] &+= 1
        lanes[4 + index] &+= UInt64(max(0, count))
    }

    public mutating func add(_ other: JudgedUsage) { lanes &+= other.lanes }

    public func calls(_ judgement: ProgressJudgement) -> UInt64 { lanes[judgement.index] }
    public func tokens(_ judgement: ProgressJudgement) -> UInt64 { lanes[4 + judgement.index] }
    /// Calls in ``ProgressJudgement/allCases`` order (progress, churn, unknown).
    public var calls: [UInt64] { ProgressJudgement.allCases.map(calls) }
    /// Input plus output tokens, in the same order.
    public var tokens: [UInt64] { ProgressJudgement.allCases.map(tokens) }
    public var totalCalls: UInt64 { lanes[0] &+ lanes[1] &+ lanes[2] }
    public var totalTokens: UInt64 { lanes[4] &+ lanes[5] &+ lanes[6] }

    /// Churn tokens over the tokens of judged calls (progress plus churn); `nil` when none was judged.
    /// Unknown calls are left out: nothing tells whether they built on anything.
    public var churnShare: Double? {
        let judged = tokens(.progress) + tokens(.churn)
        return judged == 0 ? nil : Double(tokens(.churn)) / Double(judged)
    }
}

/// In a checkpoint: `{"calls":[p,c,u],"tokens":[p,c,u]}`.
extension JudgedUsage: Codable {
    private enum CodingKeys: String, CodingKey { case calls, tokens }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let calls = try c.decode([UInt64].self, forKey: .calls)
        let tokens = try c.decode([UInt64].self, forKey: .tokens)
        guard calls.count == 3, tokens.count == 3 else {
            throw DecodingError.dataCorruptedError(
                forKey: .calls, in: c, debugDescription: "three counts each, by judgement, expected")
        }
        for index in 0..<3 {
            lanes[index] = calls[index]
            lanes[4 + index] = tokens[index]
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(calls, forKey: .calls)
        try c.encode(tokens, forKey: .tokens)
    }
}

extension ProgressJudgement {
    var index: Int {
        switch self {
        case .progress: 0
        case .churn: 1
        case .unknown: 2
        }
    }
}

extension EventTime {
    /// The UTC day it falls on, in days since 1970-01-01.
    public var day: Int64 {
        let perDay: Int64 = 86_400_000
        return milliseconds >= 0 ? milliseconds / perDay : -((-milliseconds - 1) / perDay) - 1
    }
}
