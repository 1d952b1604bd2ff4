#!/usr/bin/env python3
"""The two edges end to end, with real peers: the OpenTelemetry Python SDK (protobuf and JSON exporters, spans
and log records) -> `tokenwatch bridge` -> the daemon -> `tokenwatch forward` -> a real Alertmanager (Debian's
prometheus-alertmanager) routing with the README's file to a Slack-shaped receiver, and a signed webhook that
fails its first attempts. `forward` is killed and restarted while alerts fire; every alert must reach each
receiver, none twice. Then malformed OTLP against the bridge, which must keep serving.

Usage: check_otel_chain.py PATH-TO-tokenwatch
"""
import gzip
import http.server as httpserver
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
from check_readme_examples import Captured, free_port, wait_until  # noqa: E402

README = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()


def block(language, first_line):
    for body in re.findall(rf"```{language}\n(.*?)```", README, re.S):
        if body.startswith(first_line):
            return body
    raise AssertionError(f"README has no ```{language} block starting {first_line!r}")


def http(method, url, body=None, headers=None):
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)
    except (urllib.error.URLError, ConnectionError):
        return 0, b"", {}


class Receiver:
    """An HTTP receiver on loopback that records every POST; `failures` first answers are 503."""

    def __init__(self, failures=0):
        self.requests, self.failures, self.lock = [], failures, threading.Lock()
        outer = self

        class Handler(httpserver.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with outer.lock:
                    if outer.failures > 0:
                        outer.failures -= 1
                        status = 503
                    else:
                        outer.requests.append((self.path, dict(self.headers), body))
                        status = 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = httpserver.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def bodies(self):
        with self.lock:
            return [body for _, _, body in self.requests]


class Chain:
    def __init__(self, binary):
        self.binary, self.processes = binary, []
        self.dir = tempfile.mkdtemp(prefix="tokenwatch-otel-")
        self.events, self.alerts, self.catchup = (f"tcp://127.0.0.1:{free_port()}" for _ in range(3))
        self.bridge = f"http://127.0.0.1:{free_port()}"
        self.forward_metrics = f"127.0.0.1:{free_port()}"

    def start(self, *args, stdout=subprocess.DEVNULL):
        process = subprocess.Popen(args, stdout=stdout, stderr=subprocess.PIPE, text=True)
        self.processes.append(process)
        return process, Captured(process.stderr)

    def stop(self):
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def run_otel_app(bridge, user, exporter="proto"):
    """The README's otel_app.py, as is or with the JSON exporter imported in its place."""
    source = block("python", "# otel_app.py")
    if exporter == "json":
        source = source.replace("opentelemetry.exporter.otlp.proto.http.trace_exporter",
                                "opentelemetry.exporter.otlp.json.http.trace_exporter")
    path = os.path.join(tempfile.mkdtemp(prefix="otel-app-"), "otel_app.py")
    open(path, "w").write(source)
    subprocess.run([sys.executable, path, bridge, user], check=True, timeout=60)


def send_claude_code_logs(bridge, account, count):
    """Log records shaped as Claude Code documents its api_request event, through the SDK's log exporter."""
    from opentelemetry._logs import LogRecord
    from opentelemetry.exporter.otlp.proto.http import Compression
    from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
    from opentelemetry.sdk._logs import LoggerProvider
    from opentelemetry.sdk._logs.export import BatchLogRecordProcessor
    from opentelemetry.sdk.resources import Resource
    provider = LoggerProvider(resource=Resource.create({"service.name": "claude-code"}))
    provider.add_log_record_processor(BatchLogRecordProcessor(
        OTLPLogExporter(endpoint=f"{bridge}/v1/logs", compression=Compression.Gzip)))
    logger = provider.get_logger("com.anthropic.claude_code.events")
    for n in range(count):
        logger.emit(LogRecord(
            timestamp=time.time_ns(), body="claude_code.api_request",
            attributes={"event.name": "api_request", "user.id": "installation-hash", "user.account_uuid": account,
                        "user.email": "dana@example.com", "session.id": "s-1", "model": "claude-sonnet-4-5",
                        "input_tokens": 12, "output_tokens": 300, "cache_read_tokens": 20000 + n,
                        "cache_creation_tokens": 500}))
    provider.shutdown()


def daemon_processed(metrics):
    status, body, _ = http("GET", f"http://{metrics}/metrics")
    match = re.search(rb"^tokenwatch_events_processed_total (\d+)", body, re.M)
    return int(match.group(1)) if match else 0


def am_alerts(am):
    status, body, _ = http("GET", f"{am}/api/v2/alerts")
    return json.loads(body) if status == 200 else []


def main():
    binary = os.path.abspath(sys.argv[1])
    chain = Chain(binary)
    slack, hook = Receiver(), Receiver(failures=3)
    # As `echo webhook-key-for-the-test > webhook.key` writes it: the newline is part of the key, and the receiver
    # reads the file as bytes, as the README says.
    open(os.path.join(chain.dir, "webhook.key"), "wb").write(b"webhook-key-for-the-test\n")
    key = open(os.path.join(chain.dir, "webhook.key"), "rb").read()
    verify_source = block("python", "# verify_webhook.py")
    namespace = {}
    exec(verify_source, namespace)
    verified = namespace["verified"]
    try:
        am = start_alertmanager(chain, slack)
        config = write_config(chain, am, hook)
        subprocess.run([binary, "check-config", config], check=True, stdout=subprocess.DEVNULL)
        daemon_metrics = f"127.0.0.1:{free_port()}"
        _, daemon_log = chain.start(binary, "run", "--config", config, "--metrics", daemon_metrics,
                                    "--state-dir", os.path.join(chain.dir, "daemon"))
        daemon_log.wait_for("ready", "the daemon to start")
        _, bridge_log = chain.start(binary, "bridge", "--config", config)
        wait_until(lambda: http("GET", f"{chain.bridge}/healthz")[0] == 200, "the daemon to subscribe to the bridge")
        forward, forward_log = start_forward(chain, config)

        run_otel_app(chain.bridge, "mallory")
        run_otel_app(chain.bridge, "jsonuser", exporter="json")
        expected = {"mallory", "jsonuser"}
        check_alertmanager(am, expected)
        wait_until(lambda: len(hook.bodies()) >= 2, "both alerts at the webhook after its failures")
        check_slack(slack, ["mallory", "jsonuser"])
        _, body, _ = http("GET", f"http://{chain.forward_metrics}/metrics")
        assert re.search(rb'tokenwatch_forward_deliveries_total\{receiver="webhook-0",result="retry"\} 3', body), body
        print("otel chain: SDK spans (protobuf, JSON) -> bridge -> daemon -> forward -> Alertmanager, Slack, webhook")

        before = daemon_processed(daemon_metrics)
        send_claude_code_logs(chain.bridge, "acct-77", 5)
        wait_until(lambda: daemon_processed(daemon_metrics) >= before + 5, "Claude Code's five calls at the daemon")
        print("otel chain: Claude Code-shaped log records (gzip) reach the daemon")

        forward.kill()  # gone while the next alerts fire
        forward.wait()
        for user in ("k1", "k2", "k3"):
            run_otel_app(chain.bridge, user)
        forward, forward_log = start_forward(chain, config)
        expected |= {"k1", "k2", "k3"}
        check_alertmanager(am, expected)
        try:
            wait_until(lambda: len(hook.bodies()) >= 5, "five alerts at the webhook")
        except AssertionError:
            print("\n".join(forward_log.lines[-20:]), [json.loads(b)["subject"] for b in hook.bodies()], file=sys.stderr)
            raise
        check_webhook(hook, verified, key, expected)
        print("otel chain: forward killed and restarted while alerts fired: each alert delivered once")

        resolve(chain, am)
        wait_until(lambda: len(hook.bodies()) >= 10, "the five resolutions at the webhook")
        check_webhook(hook, verified, key, expected)
        states = sorted(json.loads(body)["state"] for body in hook.bodies())
        assert states == ["firing"] * 5 + ["resolved"] * 5, states
        check_bridge_refusals(chain)
        check_no_daemon(chain, binary, config)
        check_forward_failure(chain, binary)
        check_metrics(chain)
    finally:
        chain.stop()
        slack.server.shutdown()
        hook.server.shutdown()


def start_alertmanager(chain, slack):
    routing = block("yaml", "# alertmanager.yml")
    routing = routing.replace("https://hooks.slack.com/services/T0000/B0000/XXXXXXXX", slack.url + "/slack")
    routing = re.sub(r"group_wait: \S+", "group_wait: 1s", routing)
    routing = re.sub(r"group_interval: \S+", "group_interval: 1s", routing)
    path = os.path.join(chain.dir, "alertmanager.yml")
    open(path, "w").write(routing)
    subprocess.run(["amtool", "check-config", path], check=True, stdout=subprocess.DEVNULL)
    address = f"127.0.0.1:{free_port()}"
    chain.start("prometheus-alertmanager", f"--config.file={path}", f"--storage.path={chain.dir}/am",
                f"--web.listen-address={address}", "--cluster.listen-address=")
    am = f"http://{address}"
    wait_until(lambda: http("GET", f"{am}/-/ready")[0] == 200, "Alertmanager to be ready")
    return am


def write_config(chain, am, hook):
    """The shipped file with the test's sockets, the edges' sections, and incidents that resolve in a minute."""
    text = open(os.path.join(ROOT, "Config/tokenwatch.yaml"), encoding="utf-8").read()
    text = text.replace("endpoint: tcp://127.0.0.1:7700", f"endpoint: {chain.events}", 1)
    text = text.replace("endpoint: tcp://127.0.0.1:7701", f"endpoint: {chain.alerts}", 1)
    text = text.replace("endpoint: tcp://127.0.0.1:7702", f"endpoint: {chain.catchup}", 1)
    text = text.replace("resolve_after: 15m", "resolve_after: 1m", 1)
    text = text.replace("listen: 127.0.0.1:4318", f"listen: {chain.bridge[len('http://'):]}", 1)
    text = text.replace("connect: tcp://127.0.0.1:7700", f"connect: {chain.events}", 1)
    text = text.replace("connect: tcp://127.0.0.1:7701", f"connect: {chain.alerts}", 1)
    text = text.replace("catchup: tcp://127.0.0.1:7702", f"catchup: {chain.catchup}", 1)
    text = text.replace('state_directory: ""', f'state_directory: "{chain.dir}/forward"', 1)
    text = text.replace("metrics: 127.0.0.1:9702", f"metrics: {chain.forward_metrics}", 1)
    text = text.replace("alertmanagers: []", f"alertmanagers: [{am}]", 1)
    text = text.replace("resend_interval: 1m", "resend_interval: 2s", 1)
    text = text.replace("webhooks: []", f"webhooks:\n    - url: {hook.url}/hook\n"
                        f"      secret_file: {chain.dir}/webhook.key", 1)
    text = text.replace("initial_backoff: 1s", "initial_backoff: 100ms", 1)
    text = text.replace("max_backoff: 5m", "max_backoff: 1s", 1)
    path = os.path.join(chain.dir, "tokenwatch.yaml")
    open(path, "w").write(text)
    return path


def start_forward(chain, config):
    process, log = chain.start(chain.binary, "forward", "--config", config)
    wait_until(lambda: http("GET", f"http://{chain.forward_metrics}/healthz")[0] == 200, "forward to start")
    return process, log


def check_alertmanager(am, users):
    def current():
        alerts = [a for a in am_alerts(am) if a["labels"].get("alertname") == "TokenWatchRepetitivePrompts"]
        return alerts if {a["labels"].get("user") for a in alerts} >= users else None
    alerts = wait_until(current, f"Alertmanager to hold alerts for {sorted(users)}")
    for alert in alerts:
        labels = alert["labels"]
        assert labels["detector"] == "repetitive_prompts" and labels["severity"] in ("warning", "critical"), labels
        assert re.fullmatch(r"[0-9a-f]{16}", labels["incident"]), labels
        assert "same or nearly the same" in alert["annotations"]["summary"], alert["annotations"]
        assert alert["annotations"]["evidence"], alert["annotations"]
    per_user = [a["labels"]["user"] for a in alerts]
    assert len(per_user) == len(set(per_user)), f"an incident twice in Alertmanager: {per_user}"


def check_slack(slack, users):
    def messages():
        texts = [body.decode() for body in slack.bodies()]
        return texts if all(any(user in text for text in texts) for user in users) else None
    texts = wait_until(messages, "Alertmanager's Slack notifications")
    assert any("TokenWatchRepetitivePrompts" in text for text in texts), texts


def check_webhook(hook, verified, key, users):
    with hook.lock:
        requests = list(hook.requests)
    ids = [headers.get("X-TokenWatch-Alert-Id") for _, headers, _ in requests]
    assert len(ids) == len(set(ids)), f"an alert delivered twice: {ids}"
    seen_users = set()
    for _, headers, body in requests:
        assert verified(body, headers.get("X-TokenWatch-Signature"), key), "a delivery's signature does not verify"
        assert not verified(body + b" ", headers.get("X-TokenWatch-Signature"), key)
        alert = json.loads(body)
        assert alert["id"] == headers["X-TokenWatch-Alert-Id"]
        seen_users.add(alert["subject"]["user"])
    assert seen_users == users, (seen_users, users)


def resolve(chain, am):
    """A later call from someone else moves event time two minutes on: every incident resolves."""
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(OTLPSpanExporter(endpoint=f"{chain.bridge}/v1/traces")))
    span = provider.get_tracer("later").start_span("chat", start_time=time.time_ns() + 120 * 10**9, attributes={
        "gen_ai.operation.name": "chat", "user.id": "someone-else", "gen_ai.usage.input_tokens": 10,
        "gen_ai.usage.output_tokens": 10})
    span.end(end_time=time.time_ns() + 121 * 10**9)
    provider.shutdown()
    wait_until(lambda: not [a for a in am_alerts(am) if a["labels"].get("alertname", "").startswith("TokenWatch")],
               "Alertmanager to see every incident resolved")
    print("otel chain: incidents resolved in Alertmanager")


def check_bridge_refusals(chain):
    traces = f"{chain.bridge}/v1/traces"
    proto = {"Content-Type": "application/x-protobuf"}
    as_json = {"Content-Type": "application/json"}
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse
    request = ExportTraceServiceRequest()
    span = request.resource_spans.add().scope_spans.add().spans.add()
    span.span_id, span.start_time_unix_nano, span.name = b"\x01" * 8, time.time_ns(), "chat"
    for k, v in (("user.id", "x" * 100_000), ("gen_ai.usage.input_tokens", 5)):
        attribute = span.attributes.add()
        attribute.key = k
        if isinstance(v, int):
            attribute.value.int_value = v
        else:
            attribute.value.string_value = v
    whole = request.SerializeToString()
    assert http("POST", traces, whole[: len(whole) // 2], proto)[0] == 400, "a truncated body is not refused"
    status, body, _ = http("POST", traces, whole, proto)
    response = ExportTraceServiceResponse.FromString(body)
    assert status == 200 and response.partial_success.rejected_spans == 1, (status, response)
    assert "field_too_long" in response.partial_success.error_message
    wrong = {"resourceSpans": [{"scopeSpans": [{"spans": [{"spanId": "0102030405060708", "startTimeUnixNano": "1",
             "attributes": [{"key": "user.id", "value": {"stringValue": "w"}},
                            {"key": "gen_ai.usage.input_tokens", "value": {"stringValue": "lots"}}]}]}]}]}
    status, body, _ = http("POST", traces, json.dumps(wrong).encode(), as_json)
    assert status == 200 and json.loads(body)["partialSuccess"]["rejectedSpans"] in (1, "1"), (status, body)
    assert http("POST", traces, b'{"resourceSpans": 5}', as_json)[0] == 400
    assert http("POST", traces, b"\x00" * (10 << 20), proto)[0] == 413, "a 10 MB body is not refused"
    bomb = gzip.compress(b"\x00" * (40 << 20))
    assert http("POST", traces, bomb, {**proto, "Content-Encoding": "gzip"})[0] == 413, "a gzip bomb is not refused"
    assert http("POST", traces, b"not gzip", {**proto, "Content-Encoding": "gzip"})[0] == 400
    assert http("POST", traces, whole, {"Content-Type": "text/plain"})[0] == 415
    assert http("GET", traces)[0] == 405
    assert http("POST", f"{chain.bridge}/v1/metrics", whole, proto)[0] == 200
    assert http("POST", f"{chain.bridge}/v1/nothing", whole, proto)[0] == 404
    assert http("GET", f"{chain.bridge}/healthz")[0] == 200, "the bridge stopped serving"
    print("otel chain: malformed OTLP refused (400, 413, 415, partial success); the bridge keeps serving")


def check_no_daemon(chain, binary, config):
    """A bridge whose daemon is not there answers 503 with Retry-After: the SDK keeps the batch and retries."""
    listen = f"127.0.0.1:{free_port()}"
    process, _ = chain.start(binary, "bridge", "--config", config, "--listen", listen,
                             "--connect", f"tcp://127.0.0.1:{free_port()}")
    url = f"http://{listen}"
    wait_until(lambda: http("GET", f"{url}/healthz")[0] == 503, "the lone bridge to listen")
    body = json.dumps({"resourceSpans": [{"scopeSpans": [{"spans": [{"spanId": "0102030405060709",
        "startTimeUnixNano": str(time.time_ns()), "attributes": [{"key": "user.id", "value": {"stringValue": "u"}},
        {"key": "gen_ai.usage.input_tokens", "value": {"intValue": "3"}}]}]}]}]}).encode()
    status, _, headers = http("POST", f"{url}/v1/traces", body, {"Content-Type": "application/json"})
    assert status == 503 and headers.get("Retry-After") == "1", (status, headers)
    process.terminate()
    print("otel chain: without a daemon the bridge answers 503 with Retry-After")


def check_forward_failure(chain, binary):
    """A forwarder whose alert source fails exits 1, so that systemd's Restart=on-failure starts it again."""
    failed = subprocess.run([binary, "forward", "--connect", "tcp://no such host:1", "--metrics", "",
                             "--state-dir", os.path.join(chain.dir, "failing")], capture_output=True, text=True,
                            timeout=30)
    assert failed.returncode == 1 and "alert source stopped" in failed.stderr, (failed.returncode, failed.stderr)
    print("otel chain: forward exits 1 when its alert source fails")


def check_metrics(chain):
    for url in (f"{chain.bridge}/metrics", f"http://{chain.forward_metrics}/metrics"):
        status, body, _ = http("GET", url)
        assert status == 200, url
        if shutil.which("promtool"):
            check = subprocess.run(["promtool", "check", "metrics"], input=body, capture_output=True)
            assert check.returncode == 0, (url, check.stdout, check.stderr)
    _, body, _ = http("GET", f"{chain.bridge}/metrics")
    assert re.search(rb'tokenwatch_bridge_records_rejected_total\{reason="field_too_long"\} 1', body), body
    print("otel chain: bridge and forward metrics pass promtool")


if __name__ == "__main__":
    main()
