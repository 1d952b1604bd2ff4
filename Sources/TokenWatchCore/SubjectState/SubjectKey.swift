/// A key of a ``SubjectTable``: hashed by ``SubjectHash``, not by `Hasher`.
///
/// Why not `hashValue`: every event looks up its user, agent, parent, session and time zone in five tables,
/// about seven hashes per event on the detection thread, and `Hasher`'s SipHash (with its setup and
/// finalisation) costs about half as much again as ``SubjectHash`` on short ids (BENCHMARKS.md).
protocol SubjectKey: Hashable, Sendable {
    var subjectHash: Int { get }
    /// The user the subject belongs to (a person, or the owner of an agent or session): what decides its
    /// shard of the engine.
    var owner: String { get }
}

extension String: SubjectKey {
    var subjectHash: Int { Int(truncatingIfNeeded: SubjectHash.hash(self)) }
    var owner: String { self }
}
