/// The context trails of one stream: one per session it runs (a person often has two coding sessions open at
/// once, each with its own context), and for calls without a session, up to ``unsessionedTrails`` told apart
/// by size. At most ``capacity`` trails, the least recently used forgotten first; a trail quiet for the whole
/// window is forgotten too.
///
/// Calls without a session are matched to the trail they plausibly carry on (the same size, or the largest
/// that this one grows from): two interleaved sessions without ids still read as two growing contexts. More
/// trails than two would make sizes drawn at random read as growth too often (measured: a third of them with
/// three trails, a tenth to a quarter with two).
struct ContextTrails: Sendable, Equatable {
    static let capacity = 4
    static let unsessionedTrails = 2

    private(set) var trails: [ContextTrail] = []

    init() {}

    init(trails: [ContextTrail]) { self.trails = trails }

    /// Judges a call's input on its session's trail (`session` 0: none), then remembers it.
    mutating func observe(input: Int64, session: UInt64, at time: Int64, since: Int64)
        -> (change: ContextTrail.Change, accumulating: Bool)
    {
        trails.removeAll { $0.lastTime < since }
        guard let index = session != 0 ? trails.firstIndex(where: { $0.session == session }) : unsessioned(input) else {
            return start(ContextTrail(session: session), input: input, at: time)
        }
        return trails[index].observe(input: input, at: time, hasHistory: true)
    }

    /// The trail a call without a session carries on: one it was resent on, else the largest it grows from,
    /// else an established one it compacts, else (unless there is room to start another) the least recently
    /// used, which it replaces. Of two interleaved sessions the one whose turn it is was used least recently,
    /// so that is the one a compaction or a new context goes to.
    private func unsessioned(_ input: Int64) -> Int? {
        var resent: Int?
        var grows: Int?
        var compacts: Int?
        var stalest: Int?
        var count = 0
        for (index, trail) in trails.enumerated() where trail.session == 0 {
            count += 1
            let fit = trail.fits(input)
            if fit.resent { resent = index }
            if fit.grows && (grows.map { trails[$0].lastInput < trail.lastInput } ?? true) { grows = index }
            if trail.compacts(input) && (compacts.map { trails[$0].lastTime > trail.lastTime } ?? true) {
                compacts = index
            }
            if stalest.map({ trails[$0].lastTime > trail.lastTime }) ?? true { stalest = index }
        }
        if let match = resent ?? grows ?? compacts { return match }
        return count < Self.unsessionedTrails ? nil : stalest
    }

    private mutating func start(_ trail: ContextTrail, input: Int64, at time: Int64)
        -> (change: ContextTrail.Change, accumulating: Bool)
    {
        var trail = trail
        let outcome = trail.observe(input: input, at: time, hasHistory: false)
        if trails.count >= Self.capacity,
            let stalest = trails.indices.min(by: { trails[$0].lastTime < trails[$1].lastTime })
        {
            trails.remove(at: stalest)
        }
        trails.append(trail)
        return outcome
    }
}
