#!/usr/bin/env python3
"""The bridge against the instrumentations people put on their LLM clients: traceloop-sdk (OpenLLMetry), openlit,
and opentelemetry-instrumentation-openai-v2 in each content setting. Each drives the real `openai` client against a
fake OpenAI-compatible server on loopback and exports OTLP/HTTP to `tokenwatch bridge`, in front of the real daemon.
Alice sends one prompt 12 times, Bob 12 different prompts; the user is set the library's own way.

Checked per case: 24 events for 24 calls (nothing refused, a log twin merged into its span), the user found, and
Alice's `repetitive_prompts` alert wherever the library captures content, none for Bob.

The libraries are pip-installed, pinned, in virtual environments under .build/instrumentations/. Without PyPI the check is
skipped with a message, unless CI=true: then it fails.

Usage: check_instrumentations.py PATH-TO-tokenwatch
"""
import http.server as httpserver
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
from check_bridge_edges import Daemon, get  # noqa: E402
from check_readme_examples import Captured, free_port, wait_until  # noqa: E402

VENVS = os.path.join(ROOT, ".build", "instrumentations")
CONSTRAINTS = os.path.join(HERE, "instrumentations-constraints.txt")
# Each library in its own environment (they pin the OpenTelemetry packages differently), at versions that install
# and import together: openai-v2 needs httpx and util-genai <= 1.1b0.
PINS = {
    "traceloop": ["openai==2.54.0", "traceloop-sdk==0.62.4"],
    "openlit": ["openai==2.54.0", "openlit==1.44.0"],
    "openai-v2": ["openai==2.54.0", "httpx==0.28.1", "opentelemetry-sdk==1.45.1",
                  "opentelemetry-exporter-otlp-proto-http==1.45.1", "opentelemetry-instrumentation-openai-v2==2.4b0",
                  "opentelemetry-util-genai==1.1b0"],
}
LATEST = {"OTEL_SEMCONV_STABILITY_OPT_IN": "gen_ai_latest_experimental"}
# (name, library, environment, whether content reaches the bridge)
CASES = [
    ("traceloop", "traceloop", {"TRACELOOP_TELEMETRY": "false"}, True),
    ("openlit", "openlit", {}, True),
    *[(f"openai-v2-{mode.lower()}", "openai-v2", {**LATEST, "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": mode},
       mode != "NO_CONTENT") for mode in ("NO_CONTENT", "SPAN_ONLY", "EVENT_ONLY", "SPAN_AND_EVENT")],
    # A server's many users: the README's span processor instead of the resource.
    ("openai-v2-processor", "openai-v2",
     {**LATEST, "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "EVENT_ONLY", "USER_SPANS": "README"}, True),
]


def readme_user_spans(directory):
    """The README's user_spans.py block (indented in its list item), as a file."""
    readme = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    for body in re.findall(r"```python\n(.*?)```", readme, re.S):
        body = textwrap.dedent(body)
        if body.startswith("# user_spans.py"):
            path = os.path.join(directory, "user_spans.py")
            open(path, "w").write(body)
            return path
    raise AssertionError("README has no user_spans.py block")


def venv_python(library):
    """The library's environment's interpreter, installed with its pins once (a stamp file records which)."""
    venv = os.path.join(VENVS, library)
    python, stamp = os.path.join(venv, "bin", "python"), os.path.join(venv, "pins.txt")
    wanted = "\n".join(PINS[library] + [open(CONSTRAINTS).read()])
    if os.path.exists(stamp) and open(stamp).read() == wanted:
        return python
    try:
        urllib.request.urlopen("https://pypi.org/simple/openlit/", timeout=15).close()
    except OSError as error:
        if os.environ.get("CI") == "true":
            raise AssertionError(f"PyPI is unreachable on CI ({error}): the instrumentations cannot be checked")
        print(f"instrumentations: SKIPPED, PyPI is unreachable ({error}); the libraries are not installed")
        sys.exit(0)
    if not os.path.exists(python):
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    subprocess.run([python, "-m", "pip", "install", "-q", "-c", CONSTRAINTS, *PINS[library]], check=True)
    open(stamp, "w").write(wanted)
    return python


class FakeOpenAI:
    """Chat completions on loopback, in OpenAI's shape, with usage counts."""

    def __init__(self):
        class Handler(httpserver.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                request = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                prompt = request["messages"][-1]["content"]
                body = json.dumps({
                    "id": f"chatcmpl-{time.time_ns()}", "object": "chat.completion", "created": int(time.time()),
                    "model": request["model"], "system_fingerprint": "fp_test",
                    "choices": [{"index": 0, "finish_reason": "stop", "logprobs": None,
                                 "message": {"role": "assistant", "content": f"Answer to: {prompt}"}}],
                    "usage": {"prompt_tokens": 20 + len(prompt), "completion_tokens": 9,
                              "total_tokens": 29 + len(prompt), "prompt_tokens_details": {"cached_tokens": 0},
                              "completion_tokens_details": {"reasoning_tokens": 0}}}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = httpserver.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


class Alerts:
    """Every alert the daemon publishes, collected on a thread."""

    def __init__(self, endpoint):
        import zmq
        self.socket = zmq.Context.instance().socket(zmq.SUB)
        self.socket.setsockopt(zmq.SUBSCRIBE, b"alert.")
        self.socket.connect(endpoint)
        self.received, self.lock = [], threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        while True:
            frames = self.socket.recv_multipart()
            with self.lock:
                self.received.append(json.loads(frames[1]))

    def users(self, detector):
        with self.lock:
            return {a["subject"].get("user") for a in self.received if a.get("detector") == detector}


def bridge_metric(listen, name):
    _, body, _ = get(listen, "/metrics")
    return sum(float(v) for v in re.findall(rb"^" + re.escape(name.encode()) + rb"(?:\{[^}]*\})? (\S+)$", body, re.M))


def run_case(case, bridge, daemon, fake, alerts):
    name, library, environment, captures = case
    python = venv_python(library)
    before = daemon.counter("tokenwatch_events_processed_total")
    rejected = bridge_metric(bridge, "tokenwatch_bridge_records_rejected_total")
    for person, prompts in (("alice", "same"), ("bob", "different")):
        user = f"{person}-{name}"
        env = {**os.environ, **environment}
        if env.get("USER_SPANS") == "README":
            env["USER_SPANS"] = readme_user_spans(tempfile.mkdtemp())
        elif library == "openai-v2":
            env["OTEL_RESOURCE_ATTRIBUTES"] = f"user.id={user}"
        result = subprocess.run([python, os.path.join(HERE, "instrumented_app.py"), library, f"http://{bridge}",
                                 fake.url, user, prompts], env=env, capture_output=True, text=True, timeout=180)
        assert result.returncode == 0, (name, result.stderr[-3000:])
    wait_until(lambda: daemon.counter("tokenwatch_events_processed_total") >= before + 24, f"{name}: 24 events")
    # Records still waiting for a span would become events of their own: none may be left.
    wait_until(lambda: bridge_metric(bridge, "tokenwatch_bridge_joins_waiting") == 0, f"{name}: no record waiting")
    processed = daemon.counter("tokenwatch_events_processed_total") - before
    refused = bridge_metric(bridge, "tokenwatch_bridge_records_rejected_total") - rejected
    assert processed == 24 and refused == 0, f"{name}: {processed} events for 24 calls, {refused} records refused"
    if captures:
        wait_until(lambda: f"alice-{name}" in alerts.users("repetitive_prompts"), f"{name}: Alice's alert")
    assert f"bob-{name}" not in alerts.users("repetitive_prompts"), f"{name}: Bob alerted"
    print(f"instrumentations: {name}: 24 events for 24 calls, user found"
          + (", Alice's repeat caught" if captures else " (no content captured)"))


def main():
    binary = os.path.abspath(sys.argv[1])
    for library in PINS:
        venv_python(library)
    directory = tempfile.mkdtemp(prefix="tokenwatch-instrumentations-")
    daemon, bridge = Daemon(binary, directory), None
    fake = FakeOpenAI()
    try:
        daemon.start()
        alerts = Alerts(daemon.alerts)
        config = os.path.join(directory, "tokenwatch.yaml")
        text = open(os.path.join(ROOT, "Config/tokenwatch.yaml"), encoding="utf-8").read()
        open(config, "w").write(text.replace("join_wait: 10s", "join_wait: 2s", 1))
        listen = f"127.0.0.1:{free_port()}"
        bridge = subprocess.Popen([binary, "bridge", "--config", config, "--listen", listen, "--connect",
                                   daemon.events], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        Captured(bridge.stderr)
        wait_until(lambda: get(listen, "/healthz")[0] == 200, "the daemon to subscribe to the bridge")
        for case in CASES:
            run_case(case, listen, daemon, fake, alerts)
        assert bridge_metric(listen, "tokenwatch_bridge_requests_total") > 0
    finally:
        if bridge:
            bridge.terminate()
            bridge.wait(timeout=20)
        if daemon.process:
            daemon.stop()
        fake.server.shutdown()
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
