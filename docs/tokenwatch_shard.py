"""The virtual shard of a TokenWatch user, for Python publishers (README "Sharding").

    from tokenwatch_shard import shard_topic
    pub.send_multipart([shard_topic(event["user"]).encode(), json.dumps(event).encode()])

The same function as the daemon's (`tokenwatch shard USER` prints it): FNV-1a 64 over the UTF-8 bytes of the id
as the daemon normalises it (NFKC, lower case, surrounding white space removed), modulo 64.
"""
import unicodedata

SHARDS = 64


def normalized(user):
    return unicodedata.normalize("NFKC", user).lower().strip()


def shard_of(user):
    value = 0xCBF29CE484222325
    for byte in normalized(user).encode("utf-8"):
        value = ((value ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return value % SHARDS


def shard_topic(user, base="tokens"):
    return f"{base}.s{shard_of(user):02d}"
