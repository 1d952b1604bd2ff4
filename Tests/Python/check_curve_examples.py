#!/usr/bin/env python3
"""Runs the README's CURVE examples (curve_publisher.py, curve_consumer.py) against the real daemon with
security.curve on, as a new user would set it up: keys from `tokenwatch keygen`, the client's public key in
the allow-list directory. The consumer must print the alert; a client whose key is not allowed must get
nothing through, and the daemon must count its refusal.

Usage: check_curve_examples.py PATH-TO-tokenwatch
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_readme_examples import ROOT, Captured, free_port, readme_examples  # noqa: E402


def keygen(binary, path):
    result = subprocess.run([binary, "keygen", path], capture_output=True, text=True)
    assert result.returncode == 0, f"keygen {path}: {result.stderr}"


def main():
    binary = os.path.abspath(sys.argv[1])
    workdir = tempfile.mkdtemp(prefix="tokenwatch-curve-")
    for name, code in readme_examples("curve_publisher.py", "curve_consumer.py").items():
        with open(os.path.join(workdir, name), "w", encoding="utf-8") as f:
            f.write(code)
    allowed = os.path.join(workdir, "clients")
    os.makedirs(allowed)
    server, client, stranger = (os.path.join(workdir, name) for name in ("server.key", "client.key", "stranger.key"))
    for path in (server, client, stranger):
        keygen(binary, path)
    shutil.copy(client + ".pub", allowed)
    config = open(os.path.join(ROOT, "Config/tokenwatch.yaml"), encoding="utf-8").read()
    config = config.replace("  curve: false", "  curve: true")
    config = config.replace('  server_secret_key_file: ""', f'  server_secret_key_file: "{server}"')
    config = config.replace('  allowed_client_keys_dir: ""', f'  allowed_client_keys_dir: "{allowed}"')
    config_path = os.path.join(workdir, "tokenwatch.yaml")
    with open(config_path, "w", encoding="utf-8") as f:
        f.write(config)

    events, alerts, metrics = f"tcp://127.0.0.1:{free_port()}", f"tcp://127.0.0.1:{free_port()}", free_port()
    daemon = subprocess.Popen(
        [binary, "run", "--config", config_path, "--events", events, "--alerts", alerts,
         "--metrics", f"127.0.0.1:{metrics}", "--catchup", ""],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    consumer = None
    try:
        log = Captured(daemon.stderr)
        log.wait_for("ready", "the daemon to bind")
        consumer = subprocess.Popen(
            [sys.executable, "-u", os.path.join(workdir, "curve_consumer.py"), alerts, server + ".pub", client],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        printed = Captured(consumer.stdout)
        log.wait_for("alert subscriber joined", "the CURVE consumer to subscribe")

        refused = subprocess.run(
            [sys.executable, os.path.join(workdir, "curve_publisher.py"), events, server + ".pub", stranger],
            capture_output=True, text=True, timeout=60)
        assert refused.returncode != 0 and "did not accept this client" in refused.stderr, \
            f"a stranger's key got through: exit {refused.returncode}, {refused.stderr}"
        text = urllib.request.urlopen(f"http://127.0.0.1:{metrics}/metrics", timeout=5).read().decode()
        assert re.search(r"^tokenwatch_auth_refusals_total\{[^}]*\} [1-9]", text, re.M), "the refusal was not counted"

        published = subprocess.run(
            [sys.executable, os.path.join(workdir, "curve_publisher.py"), events, server + ".pub", client], timeout=60)
        assert published.returncode == 0, f"curve_publisher.py exited {published.returncode}"
        printed.wait_for("repetitive_prompts", "the CURVE consumer to print the alert")
        assert any("'user': 'bob'" in line for line in printed.lines), printed.lines
    finally:
        if consumer:
            consumer.kill()
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)
    print("curve-examples: 1 passed, 0 failed")


if __name__ == "__main__":
    main()
