#!/usr/bin/env python3
"""Runs the README's Python examples, as a new user would copy them, against the real `tokenwatch run`.

The publisher's events must make the daemon fire an alert, and the consumer must print it. Both examples are
taken from the README's ```python blocks (the ones whose first line names publisher.py and consumer.py), so
the README cannot drift from what works. Uses pyzmq only through the examples themselves.
"""
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def wait_until(condition, what, timeout=30):
    """The condition's first true value, polled until `timeout` seconds have passed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Captured:
    """Collects a pipe's lines on a thread, so that waits have deadlines instead of blocking reads."""

    def __init__(self, stream):
        self.lines = []
        self.thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self.thread.start()

    def _read(self, stream):
        for line in iter(stream.readline, ""):
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, text, what, timeout=20, count=1):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if sum(text in line for line in self.lines) >= count:
                return
            time.sleep(0.02)
        raise AssertionError(f"timed out waiting for {what}; saw: {self.lines[-10:]}")


def readme_examples(*required):
    """The README's ```python blocks whose first line names a file (`# publisher.py: ...`), by that name."""
    readme = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    examples = {}
    for block in re.findall(r"```python\n(.*?)```", readme, re.S):
        name = re.match(r"# (\w+\.py)", block)
        if name:
            examples[name.group(1)] = block
    assert set(required) <= examples.keys(), f"README examples found: {sorted(examples)}"
    return examples


def main():
    binary = os.path.abspath(sys.argv[1])
    examples = readme_examples("publisher.py", "consumer.py")

    workdir = tempfile.mkdtemp(prefix="tokenwatch-readme-")
    for name, code in examples.items():
        with open(os.path.join(workdir, name), "w", encoding="utf-8") as f:
            f.write(code)

    events = f"tcp://127.0.0.1:{free_port()}"
    alerts = f"tcp://127.0.0.1:{free_port()}"
    daemon = subprocess.Popen(
        [binary, "run", "--config", os.path.join(ROOT, "Config/tokenwatch.yaml"), "--events", events, "--alerts", alerts,
         "--metrics", f"127.0.0.1:{free_port()}", "--catchup", f"tcp://127.0.0.1:{free_port()}"],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    consumer = None
    try:
        log = Captured(daemon.stderr)
        log.wait_for("ready", "the daemon to bind")
        consumer = subprocess.Popen([sys.executable, "-u", os.path.join(workdir, "consumer.py"), alerts],
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        printed = Captured(consumer.stdout)
        log.wait_for("alert subscriber joined", "the consumer to subscribe")
        published = subprocess.run([sys.executable, os.path.join(workdir, "publisher.py"), events], timeout=60)
        assert published.returncode == 0, f"publisher.py exited {published.returncode}"
        printed.wait_for("repetitive_prompts", "the consumer to print the alert")
        line = next(l for l in printed.lines if "repetitive_prompts" in l)
        assert "alice" in line and "firing" in line, f"unexpected alert line: {line}"
        assert not any("Triage my inbox" in l for l in log.lines + printed.lines), "prompt text leaked"
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(timeout=20) == 0, "the daemon did not exit 0 on SIGTERM"
    finally:
        if consumer:
            consumer.kill()
        if daemon.poll() is None:
            daemon.kill()
    print(f"consumer printed: {line}")


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # one clear line, and the count CI reads
        print(f"README Python examples: FAILED: {error}", file=sys.stderr)
        print("readme-examples: 0 passed, 1 failed")
        sys.exit(1)
    print("readme-examples: 1 passed, 0 failed")
