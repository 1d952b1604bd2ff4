#!/usr/bin/env python3
"""`tokenwatch bridge` at its edges, against the real daemon and the OpenTelemetry SDK's own exporter:

- records the daemon would refuse (a token sum past 2^63, 10^9 tokens, a start a day ahead) are refused by the
  bridge, said in `partial_success`, and the bridge keeps serving;
- two people's spans without span ids, started at the same instant, are two events;
- ignored spans carrying megabyte agent names leave no memory behind;
- the daemon goes away after subscribing: the bridge answers 503 with Retry-After and /healthz says so; the
  SDK's exporter keeps retrying its batch, and once the daemon is back every span arrives, none twice;
- 400 connections that trickle one header byte at a time, against a bridge allowed 256 descriptors: real
  exports are still answered, and the bridge does not spin.

Usage: check_bridge_edges.py PATH-TO-tokenwatch
"""
import http.client
import os
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
from check_readme_examples import Captured, free_port, wait_until  # noqa: E402

CONFIG = os.path.join(ROOT, "Config/tokenwatch.yaml")


def get(address, path, timeout=5):
    """(status, body, headers) of one request on its own connection; status 0 when the connection failed."""
    return request(address, "GET", path, timeout=timeout)


def request(address, method, path, body=None, headers=None, timeout=5):
    host, port = address.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read(), dict(response.headers)
    except (OSError, http.client.HTTPException):
        return 0, b"", {}
    finally:
        connection.close()


def set_attributes(repeated, pairs):
    for key, value in pairs:
        attribute = repeated.add()
        attribute.key = key
        if isinstance(value, int):
            attribute.value.int_value = value
        else:
            attribute.value.string_value = value


def spans_body(user, count, first_id, tokens=100, start=None, span_ids=True, extra=()):
    """An OTLP/protobuf export request of `count` chat spans by `user`, starting now (or at `start`)."""
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
    request = ExportTraceServiceRequest()
    spans = request.resource_spans.add().scope_spans.add().spans
    now = start or time.time_ns()
    for n in range(count):
        span = spans.add()
        span.trace_id = b"\x05" * 16
        if span_ids:
            span.span_id = (first_id + n).to_bytes(8, "big")
        span.name, span.start_time_unix_nano, span.end_time_unix_nano = "chat", now + n, now + n + 1000
        set_attributes(span.attributes, ((("user.id", user),) if user else ()) + (
            ("gen_ai.operation.name", "chat"), ("gen_ai.usage.input_tokens", tokens + n),
            ("gen_ai.usage.output_tokens", 7)) + tuple(extra))
    return request.SerializeToString()


def rejected_spans(body):
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse
    partial = ExportTraceServiceResponse.FromString(body).partial_success
    return partial.rejected_spans, partial.error_message


PROTO = {"Content-Type": "application/x-protobuf"}


def check_limits(listen, daemon):
    """What the daemon would refuse is refused at the bridge and reported; the bridge keeps serving."""
    from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
    from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceResponse
    logs = ExportLogsServiceRequest()
    record = logs.resource_logs.add().scope_logs.add().log_records.add()
    record.time_unix_nano, record.body.string_value = time.time_ns(), "claude_code.api_request"
    set_attributes(record.attributes, (("event.name", "api_request"), ("user.account_uuid", "acct-overflow"),
                                       ("input_tokens", 2**63 - 1), ("cache_read_tokens", 1), ("output_tokens", 1)))
    status, body, _ = request(listen, "POST", "/v1/logs", logs.SerializeToString(), PROTO)
    partial = ExportLogsServiceResponse.FromString(body).partial_success if status == 200 else None
    assert status == 200 and partial.rejected_log_records == 1 and "out_of_range" in partial.error_message, \
        (status, body)
    assert get(listen, "/healthz")[0] == 200, "the bridge stopped serving after an overflowing sum"
    check_daemon_limits(listen, daemon)
    check_spans_without_ids(listen, daemon)
    print("bridge edges: overflow, 10^9 tokens, a day ahead refused in partial_success; id-less spans distinct")


def check_daemon_limits(listen, daemon):
    """10^9 tokens and a start a day ahead: the daemon's limits, applied and reported by the bridge."""
    huge = spans_body("limits", 1, 7000, tokens=10**9)
    ahead = spans_body("limits", 1, 7001, start=time.time_ns() + 86_400 * 10**9)
    for body, reason in ((huge, "out_of_range"), (ahead, "too_far_ahead")):
        status, answer, _ = request(listen, "POST", "/v1/traces", body, PROTO)
        assert status == 200 and rejected_spans(answer) == (1, f"1 {reason}"), (status, rejected_spans(answer))

    assert daemon.counter('tokenwatch_events_rejected_total{reason="out_of_range"}') == 0
    assert daemon.counter('tokenwatch_events_rejected_total{reason="too_far_ahead"}') == 0


def check_spans_without_ids(listen, daemon):
    """Two people's calls without span ids, at the same instant: two events, neither a duplicate of the other."""
    processed = daemon.counter("tokenwatch_events_processed_total")
    instant = time.time_ns()
    for user in ("ida", "jon"):
        status, answer, _ = request(listen, "POST", "/v1/traces",
                                    spans_body(user, 1, 0, start=instant, span_ids=False), PROTO)
        assert status == 200 and rejected_spans(answer) == (0, ""), (status, answer)
    wait_until(lambda: daemon.counter("tokenwatch_events_processed_total") >= processed + 2, "ida's and jon's calls")
    assert daemon.counter('tokenwatch_events_rejected_total{reason="duplicate_id"}') == 0


def check_instrumentations_shapes(listen, daemon):
    """What real instrumentations send: the user in their own attributes, a log twin of each chat span (same
    span_id, same counts), and metrics exported to the same endpoint."""
    from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
    processed = daemon.counter("tokenwatch_events_processed_total")
    for n, name in enumerate(("gen_ai.user", "gen_ai.request.user", "traceloop.association.properties.user_id")):
        body = spans_body(None, 1, 8000 + n, extra=((name, f"shape-{n}"),))
        status, answer, _ = request(listen, "POST", "/v1/traces", body, PROTO)
        assert status == 200 and rejected_spans(answer) == (0, ""), (name, status, rejected_spans(answer))
    wait_until(lambda: daemon.counter("tokenwatch_events_processed_total") >= processed + 3, "three users found")

    # openlit's shape: the log record first (SDKs batch logs for 1 s, spans for 5 s), then its span.
    logs = ExportLogsServiceRequest()
    resource_logs = logs.resource_logs.add()
    set_attributes(resource_logs.resource.attributes, (("user.id", "twin"),))
    record = resource_logs.scope_logs.add().log_records.add()
    record.time_unix_nano, record.event_name = time.time_ns(), "gen_ai.client.inference.operation.details"
    record.trace_id, record.span_id = b"\x05" * 16, (8100).to_bytes(8, "big")
    set_attributes(record.attributes, (("gen_ai.operation.name", "chat"), ("gen_ai.usage.input_tokens", 100),
                                       ("gen_ai.usage.output_tokens", 7)))
    assert request(listen, "POST", "/v1/logs", logs.SerializeToString(), PROTO)[0] == 200
    assert request(listen, "POST", "/v1/traces", spans_body("twin", 1, 8100), PROTO)[0] == 200
    # A later call, to know when the twin would have arrived too.
    assert request(listen, "POST", "/v1/traces", spans_body("after", 1, 8101), PROTO)[0] == 200
    wait_until(lambda: daemon.counter("tokenwatch_events_processed_total") >= processed + 5, "the call and the next")
    count = daemon.counter("tokenwatch_events_processed_total") - processed
    assert count == 5, f"a chat span and its log twin became {count - 4} events, not one"

    status, body, _ = request(listen, "POST", "/v1/metrics", b"", PROTO)
    assert status == 200 and body == b"", (status, body)
    status, body, _ = request(listen, "POST", "/v1/metrics", b"{}", {"Content-Type": "application/json"})
    assert status == 200 and body == b"{}", (status, body)
    _, text, _ = get(listen, "/metrics")
    assert b'tokenwatch_bridge_requests_total{signal="metrics",status="200"} 2' in text, text
    print("bridge edges: users in instrumentations' attributes; a log twin merged into its span; /v1/metrics 200")


def resident_bytes(pid):
    status = open(f"/proc/{pid}/status").read()
    return int(re.search(r"^VmRSS:\s+(\d+) kB", status, re.M).group(1)) * 1024


def check_ignored_names_leave_no_memory(listen, bridge):
    """Twenty gzip requests, each an ignored agent span named with 4 MB of its own: nothing of them is kept."""
    import gzip
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
    before = resident_bytes(bridge.pid)
    for n in range(20):
        request_ = ExportTraceServiceRequest()
        span = request_.resource_spans.add().scope_spans.add().spans.add()
        span.trace_id, span.span_id, span.start_time_unix_nano = b"\x06" * 16, (9000 + n).to_bytes(8, "big"), 1
        set_attributes(span.attributes, (("gen_ai.operation.name", "invoke_agent"),
                                         ("gen_ai.agent.name", f"{n:02}" + "a" * (4 << 20))))
        status, _, _ = request(listen, "POST", "/v1/traces", gzip.compress(request_.SerializeToString()),
                               {**PROTO, "Content-Encoding": "gzip"}, timeout=30)
        assert status == 200, status
    grown = resident_bytes(bridge.pid) - before
    assert grown < 40 << 20, f"20 ignored 4 MB agent names grew the bridge by {grown >> 20} MB"
    print(f"bridge edges: 80 MB of ignored agent names grew the bridge by {grown >> 20} MB")


class Daemon:
    def __init__(self, binary, directory):
        self.binary, self.directory = binary, directory
        self.events, self.alerts, self.catchup = (f"tcp://127.0.0.1:{free_port()}" for _ in range(3))
        self.metrics = f"127.0.0.1:{free_port()}"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [self.binary, "run", "--config", CONFIG, "--events", self.events, "--alerts", self.alerts, "--catchup",
             self.catchup, "--metrics", self.metrics, "--state-dir", os.path.join(self.directory, "daemon")],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        Captured(self.process.stderr).wait_for("] ready", "the daemon to start")
        wait_until(lambda: get(self.metrics, "/metrics")[0] == 200, "the daemon's metrics")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=20)

    def counter(self, name):
        _, body, _ = get(self.metrics, "/metrics")
        match = re.search(rb"^" + re.escape(name.encode()) + rb" (\d+)", body, re.M)
        return int(match.group(1)) if match else 0


def start_bridge(binary, daemon, descriptors=None):
    listen = f"127.0.0.1:{free_port()}"

    def limit():
        if descriptors:
            resource.setrlimit(resource.RLIMIT_NOFILE, (descriptors, descriptors))

    process = subprocess.Popen([binary, "bridge", "--config", CONFIG, "--listen", listen, "--connect", daemon.events],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, preexec_fn=limit)
    Captured(process.stderr)
    wait_until(lambda: get(listen, "/healthz")[0] == 200, "the daemon to subscribe to the bridge")
    return process, listen


def check_with_daemon(binary, directory):
    """Stopping the daemon turns the bridge to 503; the SDK's retries deliver the batch once it is back."""
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.trace.export import SpanExportResult
    daemon = Daemon(binary, directory)
    daemon.start()
    bridge, listen = start_bridge(binary, daemon)
    try:
        proto = PROTO
        check_limits(listen, daemon)
        check_instrumentations_shapes(listen, daemon)
        check_ignored_names_leave_no_memory(listen, bridge)
        processed = daemon.counter("tokenwatch_events_processed_total")
        assert request(listen, "POST", "/v1/traces", spans_body("before", 3, 1), proto)[0] == 200
        wait_until(lambda: daemon.counter("tokenwatch_events_processed_total") >= processed + 3, "the first events")
        daemon.stop()
        wait_until(lambda: get(listen, "/healthz")[0] == 503, "/healthz to say the daemon is gone", timeout=10)
        status, _, headers = request(listen, "POST", "/v1/traces", spans_body("gone", 100, 1000), proto)
        assert status == 503 and headers.get("Retry-After") == "1", (status, headers)

        # The SDK's exporter, given the batch the bridge refused: it retries on 503 until its timeout.
        exporter = OTLPSpanExporter(endpoint=f"http://{listen}/v1/traces", timeout=60)
        batch = spans_for_exporter(100, 1000)
        result = []
        thread = threading.Thread(target=lambda: result.append(exporter.export(batch)), daemon=True)
        thread.start()
        daemon.start()
        thread.join(timeout=90)
        assert result == [SpanExportResult.SUCCESS], result
        processed = wait_until(lambda: daemon.counter("tokenwatch_events_processed_total") >= 100
                               and daemon.counter("tokenwatch_events_processed_total"), "the retried batch")
        assert processed == 100, f"the restarted daemon processed {processed} events, expected the batch's 100"
        exporter.shutdown()
        print("bridge edges: daemon gone -> 503 + Retry-After, /healthz 503; the SDK's retries deliver all 100")
    finally:
        bridge.terminate()
        bridge.wait(timeout=20)
        daemon.process.terminate()
        daemon.process.wait(timeout=20)


def spans_for_exporter(count, first_id):
    """ReadableSpans for the SDK exporter, the same calls as `spans_body` would encode."""
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import ReadableSpan
    from opentelemetry.trace import SpanContext, TraceFlags
    now = time.time_ns()
    spans = []
    for n in range(count):
        context = SpanContext(trace_id=0x0505, span_id=first_id + n, is_remote=False,
                              trace_flags=TraceFlags(TraceFlags.SAMPLED))
        spans.append(ReadableSpan(
            name="chat", context=context, resource=Resource.create({"service.name": "edges"}),
            attributes={"user.id": "retried", "gen_ai.operation.name": "chat", "gen_ai.usage.input_tokens": 100 + n,
                        "gen_ai.usage.output_tokens": 7}, start_time=now + n, end_time=now + n + 1000))
    return spans


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def check_slow_connections(binary, directory):
    """400 trickling connections against 256 descriptors: exports are answered and the bridge stays idle."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
    daemon = Daemon(binary, directory)
    daemon.start()
    bridge, listen = start_bridge(binary, daemon, descriptors=256)
    host, port = listen.split(":")
    held, stop = [], threading.Event()
    try:
        for _ in range(400):
            sock = socket.socket()
            sock.setblocking(False)
            sock.connect_ex((host, int(port)))  # completes in the kernel's backlog whether or not it is accepted
            held.append(sock)

        # A valid request head, one byte per connection every two seconds: it never ends, and is never wrong.
        head = b"POST /v1/traces HTTP/1.1\r\nHost: bridge\r\nX-Padding: " + b"a" * 10_000

        def trickle():
            sent = 0
            while not stop.is_set():
                for sock in held:
                    try:
                        sock.send(head[sent:sent + 1])
                    except OSError:
                        pass
                sent += 1
                stop.wait(2)

        threading.Thread(target=trickle, daemon=True).start()
        time.sleep(1)  # let the bridge take the flood in before measuring it
        before, started = cpu_seconds(bridge.pid), time.monotonic()
        proto = {"Content-Type": "application/x-protobuf"}
        answered = 0
        for n in range(5):
            status = request(listen, "POST", "/v1/traces", spans_body("real", 2, 5000 + 2 * n), proto, timeout=5)[0]
            answered += status == 200
        wait_until(lambda: time.monotonic() - started >= 3, "three seconds of the flood")
        spent = cpu_seconds(bridge.pid) - before
        elapsed = time.monotonic() - started
        assert answered == 5, f"{answered} of 5 real exports answered 200 while 400 slow connections were held"
        assert spent < 0.5 * elapsed, f"the bridge used {spent:.2f} s of CPU in {elapsed:.2f} s holding idle connections"
        assert bridge.poll() is None, "the bridge exited"
        print(f"bridge edges: 400 slow connections held; 5/5 exports answered, {spent:.2f} s CPU in {elapsed:.1f} s")
    finally:
        stop.set()
        for sock in held:
            sock.close()
        bridge.terminate()
        bridge.wait(timeout=20)
        daemon.stop()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def main():
    binary = os.path.abspath(sys.argv[1])
    directory = tempfile.mkdtemp(prefix="tokenwatch-edges-")
    try:
        unit = open(os.path.join(ROOT, "systemd/tokenwatch-bridge.service")).read()
        assert re.search(r"^LimitNOFILE=\d+$", unit, re.M), "the bridge's unit sets no LimitNOFILE"
        check_with_daemon(binary, directory)
        check_slow_connections(binary, directory)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
