/// The fixed partition of people that lets several daemons share a stream through ZeroMQ's own topic
/// filtering: each user belongs to one of ``count`` virtual shards, publishers put the shard in the event's
/// topic (`tokens.s07`), and a daemon subscribes only to the shards it owns (`events.shards`), so publishers
/// send it nothing else. A person's agents are their events too, so a person and their agents stay together.
///
/// The shard of a user is stable and documented, so any publisher can compute it: FNV-1a 64 over the UTF-8
/// bytes of the id as the daemon normalises it (NFKC, lower case, surrounding white space removed), modulo
/// 64. `docs/tokenwatch_shard.py` is the same function for Python publishers; `tokenwatch shard USER` prints it.
public enum VirtualShard {
    public static let count = 64

    public static func of(user: String) -> Int {
        of(normalizedUser: IdentityNormalization.normalized(user))
    }

    /// The shard of a user id already normalised (as the decoder keeps it): the same as ``of(user:)``, without
    /// normalising again.
    static func of(normalizedUser user: String) -> Int {
        Int(FNV1a.hash(user) % UInt64(count))
    }

    /// The topic of a shard's events, under the daemon's topic (`events.topic`, `tokens`): two digits, so that
    /// no shard's topic is a prefix of another's. A daemon without shards subscribes to the bare topic and
    /// takes every shard's events too.
    public static func topic(_ shard: Int, base: String = "tokens") -> String {
        base + ".s" + (shard < 10 ? "0" : "") + String(shard)
    }

    public static func topic(user: String, base: String = "tokens") -> String { topic(of(user: user), base: base) }
}
