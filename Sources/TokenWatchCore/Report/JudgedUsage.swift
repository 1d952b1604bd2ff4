/// Calls and tokens by progress judgement: one team's (or label's) spending on one day, or over any span.
///
/// Plain fields, so that counting a call is two additions with nothing on the heap: the engine counts every
/// event into two of these.
public struct JudgedUsage: Sendable, Equatable {
    private var progressCalls: UInt64 = 0
    private var churnCalls: UInt64 = 0
    private var unknownCalls: UInt64 = 0
    private var progressTokens: UInt64 = 0
    private var churnTokens: UInt64 = 0
    private var unknownTokens: UInt64 = 0

    public init() {}

    public mutating func add(_ judgement: ProgressJudgement, tokens count: Int64) {
        let tokens = UInt64(max(0, count))
        switch judgement {
        case .progress:
            progressCalls &+= 1
            progressTokens &+= tokens
        case .churn:
            churnCalls &+= 1
            churnTokens &+= tokens
        case .unknown:
            unknownCalls &+= 1
            unknownTokens &+= tokens
        }
    }

    public mutating func add(_ other: JudgedUsage) {
        progressCalls &+= other.progressCalls
        churnCalls &+= other.churnCalls
        unknownCalls &+= other.unknownCalls
        progressTokens &+= other.progressTokens
        churnTokens &+= other.churnTokens
        unknownTokens &+= other.unknownTokens
    }

    public func calls(_ judgement: ProgressJudgement) -> UInt64 {
        switch judgement {
        case .progress: progressCalls
        case .churn: churnCalls
        case .unknown: unknownCalls
        }
    }

    public func tokens(_ judgement: ProgressJudgement) -> UInt64 {
        switch judgement {
        case .progress: progressTokens
        case .churn: churnTokens
        case .unknown: unknownTokens
        }
    }

    /// Calls in ``ProgressJudgement/allCases`` order (progress, churn, unknown).
    public var calls: [UInt64] { ProgressJudgement.allCases.map(calls) }
    /// Input plus output tokens, in the same order.
    public var tokens: [UInt64] { ProgressJudgement.allCases.map(tokens) }
    public var totalCalls: UInt64 { progressCalls &+ churnCalls &+ unknownCalls }
    public var totalTokens: UInt64 { progressTokens &+ churnTokens &+ unknownTokens }

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
        (progressCalls, churnCalls, unknownCalls) = (calls[0], calls[1], calls[2])
        (progressTokens, churnTokens, unknownTokens) = (tokens[0], tokens[1], tokens[2])
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(calls, forKey: .calls)
        try c.encode(tokens, forKey: .tokens)
    }
}

extension EventTime {
    /// The UTC day it falls on, in days since 1970-01-01.
    public var day: Int64 {
        let perDay: Int64 = 86_400_000
        return milliseconds >= 0 ? milliseconds / perDay : -((-milliseconds - 1) / perDay) - 1
    }
}
