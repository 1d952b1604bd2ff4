#!/usr/bin/env python3
"""Tests docs/consumer.py against the real daemon: a consumer that is killed while alerts fire gets every one
of them, exactly once, when it comes back; one that keeps running sees each alert once.

Usage: check_consumer_example.py PATH-TO-tokenwatch
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_readme_examples import Captured, free_port  # noqa: E402

import zmq  # noqa: E402


def publish_repeats(events, users, start_minute):
    """Ten equal prompts per user, a minute apart: one repetitive_prompts incident each."""
    context = zmq.Context.instance()
    pub = context.socket(zmq.XPUB)
    pub.setsockopt(zmq.XPUB_NODROP, 1)
    pub.connect(events)
    assert pub.poll(20_000), "the daemon did not subscribe"
    pub.recv()
    minute = start_minute
    for user in users:
        for n in range(10):
            ts = f"2026-11-02T{minute // 60:02d}:{minute % 60:02d}:00Z"
            # Each event in its own session, so only repetitive_prompts sees a pattern in these minute-spaced calls.
            event = {"ts": ts, "user": user, "id": f"{user}-{n}", "session": f"{user}-{n}", "input_tokens": 50, "output_tokens": 5,
                     "prompt": f"exactly the same words from {user}"}
            pub.send_multipart([b"tokens", json.dumps(event).encode()])
            minute += 1
        minute += 1
    pub.close(linger=5000)
    return minute


def wait_for_lines(captured, count, what, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(captured.lines) >= count:
            return [json.loads(line) for line in captured.lines]
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}; got {captured.lines}")


def main():
    binary = os.path.abspath(sys.argv[1])
    workdir = tempfile.mkdtemp(prefix="tokenwatch-consumer-")
    events, alerts, catchup = (f"tcp://127.0.0.1:{free_port()}" for _ in range(3))
    daemon = subprocess.Popen(
        [binary, "run", "--config", os.path.join(ROOT, "Config/tokenwatch.yaml"), "--events", events, "--alerts", alerts,
         "--catchup", catchup, "--metrics", "", "--state-dir", os.path.join(workdir, "state")],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    consumers = []

    def start_consumer():
        process = subprocess.Popen(
            [sys.executable, "-u", os.path.join(ROOT, "docs/consumer.py"), "--alerts", alerts, "--catchup", catchup,
             "--state", os.path.join(workdir, "consumer.state")],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        consumers.append(process)
        return process, Captured(process.stdout)

    try:
        log = Captured(daemon.stderr)
        log.wait_for("ready", "the daemon to bind")
        first, first_out = start_consumer()
        log.wait_for("alert subscriber joined", "the consumer to subscribe")
        minute = publish_repeats(events, ["ada"], 0)
        seen = wait_for_lines(first_out, 1, "the first alert")
        first.kill()  # gone while the next alerts fire
        first.wait()

        # While nobody listens: bob's first event (minute 31) is past ada's last finding (9) + 15 min, so ada
        # resolves; then bob fires (minute 40) and cy fires (minute 51).
        minute = publish_repeats(events, ["bob", "cy"], minute + 20)
        second, second_out = start_consumer()
        wait_for_lines(second_out, 3, "the missed alerts")
        # Then live: dee's events (minutes 72-81) resolve bob (40 + 15) and cy (51 + 15) first, then dee fires.
        # Once dee's alert is printed, everything before it is final: any duplicate would be among it.
        log.wait_for("alert subscriber joined", "the second consumer to subscribe", count=2)
        publish_repeats(events, ["dee"], minute + 10)
        deadline = time.monotonic() + 20
        while not any('"dee"' in line for line in second_out.lines):
            assert time.monotonic() < deadline, f"dee's alert never came: {second_out.lines}"
            time.sleep(0.02)
        recovered = [json.loads(line) for line in second_out.lines]

        assert [a["seq"] for a in seen] == [0], seen
        assert [a["seq"] for a in recovered] == [1, 2, 3, 4, 5, 6], [a["seq"] for a in recovered]
        assert [(a["subject"]["user"], a["state"]) for a in recovered] == [
            ("ada", "resolved"), ("bob", "firing"), ("cy", "firing"),
            ("bob", "resolved"), ("cy", "resolved"), ("dee", "firing")], recovered
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(timeout=20) == 0
    finally:
        for process in consumers:
            process.kill()
        if daemon.poll() is None:
            daemon.kill()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    try:
        main()
    except Exception as error:
        print(f"docs/consumer.py check: FAILED: {error!r}", file=sys.stderr)
        print("consumer-example: 0 passed, 1 failed")
        sys.exit(1)
    print("consumer-example: 1 passed, 0 failed")
