/// A key of a ``SubjectTable``: hashed by ``SubjectHash``, not by `Hasher`.
///
/// Why not `hashValue`: the hashes of an event's ids are worked out once, where it is decoded, and handed to
/// every table it is looked up in (``EventKeys``); a key's hash must be a function of those ids' hashes,
/// which `Hasher`'s SipHash is not. SipHash also does more work per short id than ``SubjectHash``'s
/// multiply-and-mix.
protocol SubjectKey: Hashable, Sendable {
    var subjectHash: Int { get }
    /// The user the subject belongs to (a person, or the owner of an agent or session): what decides its
    /// shard of the engine.
    var owner: String { get }
}

extension String: SubjectKey {
    var subjectHash: Int { Self.subjectHash(SubjectHash.hash(self)) }
    var owner: String { self }

    /// The ``SubjectKey/subjectHash`` of the string whose ``SubjectHash`` is `hash`.
    static func subjectHash(_ hash: UInt64) -> Int { Int(truncatingIfNeeded: hash) }
}
