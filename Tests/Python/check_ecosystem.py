#!/usr/bin/env python3
"""Runs the ecosystem's own checkers on what TokenWatch ships, as an operator would:

- `promtool check metrics` on the `/metrics` of a running daemon that has published alerts, rejected an
  event, counted late events and failed and passed a reload, so every metric family is present; and, checked
  here independently of promtool, every family carries HELP and TYPE lines;
- `systemd-analyze security --offline=yes` on every unit in systemd/, each at most MAX_EXPOSURE, and
  `systemd-analyze verify` on each (the binary installed into a scratch root first);
- `pyflakes` on the Python that ships (docs/), tests (Tests/Python) or measures (Benchmarks).

Usage: check_ecosystem.py PATH-TO-tokenwatch
"""
import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_readme_examples import ROOT, Captured, free_port  # noqa: E402

import zmq  # noqa: E402

MAX_EXPOSURE = 1.5
FAMILIES = [
    "tokenwatch_events_received_total", "tokenwatch_events_processed_total", "tokenwatch_events_late_total",
    "tokenwatch_events_rejected_total", "tokenwatch_subjects_evicted_total", "tokenwatch_alerts_published_total",
    "tokenwatch_alerts_dropped_total", "tokenwatch_tracked_subjects", "tokenwatch_open_incidents",
    "tokenwatch_alert_subscriptions", "tokenwatch_event_processing_seconds", "tokenwatch_config_reloads_total",
    "tokenwatch_build_info", "tokenwatch_catchup_refusals_total", "tokenwatch_alerts_awaiting_journal",
    "tokenwatch_alerts_unjournaled_total", "tokenwatch_tokens_total", "tokenwatch_calls_total",
    "tokenwatch_journal_errors_total",
]


def scrape(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        return response.read().decode()


def wait_until(what, condition, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def sample(text, name):
    """The sum of a family's samples (0 when absent)."""
    return sum(float(line.split()[-1]) for line in text.splitlines() if line.startswith(name + " ") or line.startswith(name + "{"))


def check_metrics(binary):
    workdir = tempfile.mkdtemp(prefix="tokenwatch-checkers-")
    config = os.path.join(workdir, "tokenwatch.yaml")
    shutil.copy(os.path.join(ROOT, "Config/tokenwatch.yaml"), config)
    events, alerts, metrics = f"tcp://127.0.0.1:{free_port()}", f"tcp://127.0.0.1:{free_port()}", free_port()
    daemon = subprocess.Popen(
        [binary, "run", "--config", config, "--events", events, "--alerts", alerts, "--metrics", f"127.0.0.1:{metrics}",
         "--catchup", ""], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    try:
        log = Captured(daemon.stderr)
        log.wait_for("ready", "the daemon to bind")
        context = zmq.Context.instance()
        subscriber = context.socket(zmq.SUB)
        subscriber.setsockopt(zmq.SUBSCRIBE, b"alert")
        subscriber.connect(alerts)
        log.wait_for("alert subscriber joined", "the subscription")
        publisher = context.socket(zmq.XPUB)
        publisher.setsockopt(zmq.XPUB_NODROP, 1)
        publisher.connect(events)
        assert publisher.poll(20_000), "the daemon did not subscribe"
        publisher.recv()
        # Ten equal prompts at irregular gaps (one repetitive_prompts incident), an event two hours behind the
        # others (late), and one that is not JSON (rejected).
        minutes = [0, 1, 3, 4, 8, 9, 13, 14, 19, 20]
        for n, minute in enumerate(minutes):
            event = {"ts": f"2026-11-02T10:{minute:02d}:00Z", "user": "dana", "id": f"d{n}", "input_tokens": 50,
                     "output_tokens": 5, "prompt": "the very same words about the quarterly budget"}
            publisher.send_multipart([b"tokens", json.dumps(event).encode()])
        late = {"ts": "2026-11-02T08:00:00Z", "user": "eli", "id": "late", "input_tokens": 5, "output_tokens": 5}
        publisher.send_multipart([b"tokens", json.dumps(late).encode()])
        publisher.send_multipart([b"tokens", b"{not json"])
        publisher.close(linger=5000)
        wait_until("12 events received", lambda: sample(scrape(metrics), "tokenwatch_events_received_total") == 12)
        # A refused reload, then one that passes.
        with open(config, "a", encoding="utf-8") as f:
            f.write("\nnot_a_section: 1\n")
        daemon.send_signal(signal.SIGHUP)
        log.wait_for("configuration reload failed", "the refused reload")
        shutil.copy(os.path.join(ROOT, "Config/tokenwatch.yaml"), config)
        daemon.send_signal(signal.SIGHUP)
        log.wait_for("configuration reloaded", "the reload")
        wait_until("both reloads counted", lambda: sample(scrape(metrics), "tokenwatch_config_reloads_total") == 2)
        text = scrape(metrics)
        subscriber.close(linger=0)
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)

    for family in FAMILIES:
        assert re.search(rf"^# HELP {family} \S", text, re.M), f"{family}: no HELP text"
        assert re.search(rf"^# TYPE {family} ", text, re.M), f"{family}: no TYPE line"
    assert sample(text, "tokenwatch_events_late_total") == 1, "the late event was not counted"
    assert sample(text, "tokenwatch_events_rejected_total") == 1, "the broken event was not rejected"
    # Eleven calls without a team by two people: fewer than report.min_team_size, so one "small teams" label.
    assert sample(text, "tokenwatch_calls_total") == 11, "calls by team and judgement"
    assert sample(text, "tokenwatch_tokens_total") == 10 * 55 + 10, "tokens by team and judgement"
    assert 'team="small teams"' in text and '"dana"' not in text, \
        "team labels"
    checked = subprocess.run(["promtool", "check", "metrics"], input=text, text=True, capture_output=True)
    assert checked.returncode == 0, f"promtool check metrics exited {checked.returncode}:\n{checked.stdout}{checked.stderr}"
    print(f"promtool check metrics: clean ({len(FAMILIES)} families, each with HELP and TYPE)")


def check_units(binary):
    units = sorted(glob.glob(os.path.join(ROOT, "systemd", "*.service")))
    assert units, "no unit in systemd/"
    scratch = tempfile.mkdtemp(prefix="tokenwatch-units-")
    try:
        for unit in units:
            name = os.path.basename(unit)
            report = subprocess.run(["systemd-analyze", "security", "--offline=yes", unit], capture_output=True, text=True)
            found = re.search(r"Overall exposure level for \S+: ([0-9.]+)", report.stdout)
            assert found, f"{name}: no exposure level in\n{report.stdout}{report.stderr}"
            exposure = float(found.group(1))
            assert exposure <= MAX_EXPOSURE, f"{name}: exposure {exposure} > {MAX_EXPOSURE}\n{report.stdout}"
            # verify checks that every command exists: the copy runs the binary just built, not an installed one.
            copy = os.path.join(scratch, name)
            with open(unit, encoding="utf-8") as f:
                text = f.read().replace("/usr/local/bin/tokenwatch", binary)
            with open(copy, "w", encoding="utf-8") as f:
                f.write(text)
            verified = subprocess.run(["systemd-analyze", "verify", copy], capture_output=True, text=True)
            problems = [line for line in (verified.stdout + verified.stderr).splitlines() if line.strip()]
            assert verified.returncode == 0 and not problems, f"{name}: systemd-analyze verify:\n" + "\n".join(problems)
            print(f"systemd-analyze: {name} exposure {exposure} (at most {MAX_EXPOSURE}), verify clean")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def check_python():
    files = sorted(
        glob.glob(os.path.join(ROOT, "docs", "*.py"))
        + glob.glob(os.path.join(ROOT, "Tests", "Python", "*.py"))
        + glob.glob(os.path.join(ROOT, "Benchmarks", "*.py"))
    )
    result = subprocess.run([sys.executable, "-m", "pyflakes", *files], capture_output=True, text=True)
    assert result.returncode == 0, f"pyflakes:\n{result.stdout}{result.stderr}"
    print(f"pyflakes: clean ({len(files)} files)")


def main():
    binary = os.path.abspath(sys.argv[1])
    check_python()
    check_units(binary)
    check_metrics(binary)


if __name__ == "__main__":
    main()
