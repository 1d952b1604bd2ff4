"""Rewrites a generated events file with ids the length of real ones: each user `u258` becomes
`firstname.lastname.u258@example-corp.com` and each agent `triage-team-23` becomes
`agent-platform.triage-team-23` (a parent is the one or the other, as before). The generator's ids are 15 bytes
or less, which Swift keeps inline; real user ids are e-mail addresses, allocated, hashed and compared byte by
byte. Same events otherwise, so the same busywork and the same alerts.

Usage: long_ids.py IN OUT [LINES]   (only the first LINES events when given)
"""
import json
import sys


def main():
    source, target = sys.argv[1], sys.argv[2]
    limit = int(sys.argv[3]) if len(sys.argv) > 3 else None
    with open(source) as events, open(target, "w") as out:
        for number, line in enumerate(events):
            if limit is not None and number >= limit:
                break
            event = json.loads(line)
            user = event["user"]
            event["user"] = f"firstname.lastname.{user}@example-corp.com"
            if "agent" in event:
                event["agent"] = "agent-platform." + event["agent"]
            if "parent" in event:
                event["parent"] = event["user"] if event["parent"] == user else "agent-platform." + event["parent"]
            out.write(json.dumps(event, separators=(",", ":"), ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
