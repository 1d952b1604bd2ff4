#!/usr/bin/env python3
"""Virtual shards across daemons, with ZeroMQ's own filtering: daemon A owns shards 0-31, B owns 32-63, and C is a
replica of A. A publisher using docs/tokenwatch_shard.py sends to all three; each daemon must receive exactly the
events of its shards (publishers filter), A and C must publish the same alert ids, and the Python helper must
agree with `tokenwatch shard`. Then `tokenwatch bridge` connected to A and B routes each user's calls to the
owner of their shard.

Usage: check_shards.py PATH-TO-tokenwatch
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "docs"))
from check_readme_examples import Captured, free_port, wait_until  # noqa: E402
from tokenwatch_shard import normalized, shard_of, shard_topic  # noqa: E402

import zmq  # noqa: E402

USERS = [f"person{n}" for n in range(40)] + ["José", "ＣＡＲＯＬ", " Dana "]


def received(metrics):
    try:
        body = urllib.request.urlopen(f"http://{metrics}/metrics", timeout=5).read().decode()
    except OSError:
        return None
    match = re.search(r"^tokenwatch_events_received_total (\d+)", body, re.M)
    return int(match.group(1)) if match else 0


class Daemon:
    def __init__(self, binary, workdir, name, shards):
        self.name, self.shards = name, set(shards)
        self.events, self.alerts, self.catchup = (f"tcp://127.0.0.1:{free_port()}" for _ in range(3))
        self.metrics = f"127.0.0.1:{free_port()}"
        config = os.path.join(workdir, f"{name}.yaml")
        text = open(os.path.join(ROOT, "Config/tokenwatch.yaml"), encoding="utf-8").read()
        text = text.replace("  shards: []", f"  shards: [{', '.join(map(str, sorted(shards)))}]", 1)
        open(config, "w").write(text)
        subprocess.run([binary, "check-config", config], check=True, stdout=subprocess.DEVNULL)
        self.process = subprocess.Popen(
            [binary, "run", "--config", config, "--events", self.events, "--alerts", self.alerts, "--catchup",
             self.catchup, "--metrics", self.metrics, "--state-dir", os.path.join(workdir, name)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        Captured(self.process.stderr).wait_for("ready", f"daemon {name} to start")

    def alert_payloads(self):
        socket = zmq.Context.instance().socket(zmq.DEALER)
        socket.connect(self.catchup)
        socket.send(b'{"since": 0}')
        assert socket.poll(5000), f"{self.name}: no catch-up reply"
        reply = json.loads(socket.recv())
        socket.close(linger=0)
        return [entry["alert"] for entry in reply["alerts"]]


def main():
    binary = os.path.abspath(sys.argv[1])
    workdir = tempfile.mkdtemp(prefix="tokenwatch-shards-")
    for user in USERS:
        out = subprocess.run([binary, "shard", user], capture_output=True, text=True, check=True).stdout
        assert int(out.split("\t")[0]) == shard_of(user), (user, out, shard_of(user))
        assert out.split("\t")[1] == shard_topic(user)
    assert shard_of("José") == shard_of("jose\u0301") and shard_of("ＣＡＲＯＬ") == shard_of("carol")
    owned = {user for user in USERS if shard_of(user) < 32}
    assert 5 < len(owned) < len(USERS) - 5, "the test users do not fall on both halves"
    print(f"shards: the Python helper agrees with `tokenwatch shard` for {len(USERS)} ids")

    daemons = [Daemon(binary, workdir, "a", range(32)), Daemon(binary, workdir, "b", range(32, 64)),
               Daemon(binary, workdir, "c", range(32))]
    try:
        publish(daemons)
        expected = {d.name: 10 * sum(1 for user in USERS if shard_of(user) in d.shards) for d in daemons}
        for d in daemons:
            wait_until(lambda: received(d.metrics) == expected[d.name], f"{d.name} to receive {expected[d.name]}")
        time.sleep(0.5)  # anything sent to the wrong daemon would have arrived with the rest
        assert {d.name: received(d.metrics) for d in daemons} == expected
        alerts = {d.name: wait_until(lambda: len(d.alert_payloads()) >= len([u for u in USERS if shard_of(u) in d.shards])
                                     and d.alert_payloads(), f"{d.name}'s alerts") for d in daemons}
        ids = {name: [json.loads(a)["id"] if isinstance(a, str) else a["id"] for a in payloads]
               for name, payloads in alerts.items()}
        assert ids["a"] == ids["c"], "the replica published other alert ids"
        users = {name: {(a if isinstance(a, dict) else json.loads(a))["subject"]["user"] for a in payloads}
                 for name, payloads in alerts.items()}
        assert all(shard_of(u) < 32 for u in users["a"]) and all(shard_of(u) >= 32 for u in users["b"])
        assert users["a"] | users["b"] == {normalized(u) for u in USERS}
        print(f"shards: A and its replica C got exactly shards 0-31 ({expected['a']} events, same {len(ids['a'])} alert "
              f"ids), B exactly 32-63 ({expected['b']} events)")
        check_bridge(binary, daemons[:2])
    finally:
        for d in daemons:
            d.process.terminate()
        for d in daemons:
            d.process.wait(timeout=20)


def publish(daemons):
    pub = zmq.Context.instance().socket(zmq.XPUB)
    pub.setsockopt(zmq.XPUB_NODROP, 1)
    pub.setsockopt(zmq.XPUB_VERBOSE, 1)  # every daemon's subscriptions, replicas' duplicates included
    for d in daemons:
        pub.connect(d.events)
    wanted = sum(len(d.shards) for d in daemons)
    seen = 0
    while seen < wanted:
        assert pub.poll(20_000), f"only {seen} of {wanted} shard subscriptions arrived"
        if pub.recv()[:1] == b"\x01":
            seen += 1
    for minute, user in enumerate(USERS):
        for n in range(10):
            event = {"ts": f"2026-11-02T{10 + minute // 60:02d}:{minute % 60:02d}:{n * 5:02d}Z", "user": user,
                     "id": f"{user}-{n}", "session": f"{user}-{n}", "input_tokens": 50, "output_tokens": 5,
                     "prompt": f"exactly the same words from {user}"}
            pub.send_multipart([shard_topic(user).encode(), json.dumps(event).encode()])
    pub.close(linger=5000)


def check_bridge(binary, daemons):
    """The bridge connected to both halves: each user's calls reach the daemon that owns their shard."""
    listen = f"127.0.0.1:{free_port()}"
    bridge = subprocess.Popen([binary, "bridge", "--listen", listen, "--connect",
                               ",".join(d.events for d in daemons)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: urllib.request.urlopen(f"http://{listen}/healthz", timeout=2).status == 200
                   if _reachable(listen) else False, "the bridge")
        before = {d.name: received(d.metrics) for d in daemons}
        low = next(u for u in (f"otel{n}" for n in range(100)) if shard_of(u) < 32)
        high = next(u for u in (f"otel{n}" for n in range(100)) if shard_of(u) >= 32)
        for user in (low, high):
            body = json.dumps({"resourceSpans": [{"scopeSpans": [{"spans": [
                {"spanId": f"{i + (0 if user == low else 50):016x}", "startTimeUnixNano": str(time.time_ns()),
                 "attributes": [{"key": "user.id", "value": {"stringValue": user}},
                                {"key": "gen_ai.usage.input_tokens", "value": {"intValue": "10"}}]}
                for i in range(1, 4)]}]}]}).encode()
            request = urllib.request.Request(f"http://{listen}/v1/traces", data=body, method="POST",
                                             headers={"Content-Type": "application/json"})
            wait_until(lambda: _post(request) == 200, "the bridge to take both shards")
        for d in daemons:
            wait_until(lambda: received(d.metrics) == before[d.name] + 3, f"{d.name} to receive its user's 3 calls")
        print("shards: tokenwatch bridge sends each user's calls to the daemon that owns their shard")
    finally:
        bridge.terminate()
        bridge.wait(timeout=10)


def _reachable(listen):
    try:
        urllib.request.urlopen(f"http://{listen}/healthz", timeout=2)
        return True
    except urllib.error.HTTPError:
        return False
    except OSError:
        return False


def _post(request):
    try:
        return urllib.request.urlopen(request, timeout=5).status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


if __name__ == "__main__":
    main()
