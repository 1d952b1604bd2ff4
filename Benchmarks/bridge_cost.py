#!/usr/bin/env python3
"""What `tokenwatch bridge` adds to the CPU cost of an event: the same events sent to the daemon directly (the
C publisher) and as OTLP/HTTP protobuf batches of 512 spans through the bridge (a keep-alive Python client
posting bodies encoded beforehand). The daemon and the bridge run under cpu_of.py (whole process, all threads).

usage: bridge_cost.py TOKENWATCH PUBLISH EVENTS.jsonl COUNT WORKDIR  (PUBLISH: Benchmarks/ceiling/publish.c built)
Prints one JSON line; asserts no timing.
"""
import http.client
import json
import os
import socket
import subprocess
import sys
import time
from datetime import datetime

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

HERE = os.path.dirname(os.path.abspath(__file__))
BATCH = 512


def port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def nanoseconds(ts):
    if isinstance(ts, int):
        return ts * 1_000_000
    return int(datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp() * 1000) * 1_000_000


def batches(events):
    """Each event as the GenAI span an instrumented application would send, 512 to an export request."""
    names = {"user": "user.id", "team": "tokenwatch.team", "agent": "gen_ai.agent.id",
             "session": "gen_ai.conversation.id", "model": "gen_ai.request.model", "prompt": "gen_ai.prompt"}
    bodies = []
    for start in range(0, len(events), BATCH):
        request = ExportTraceServiceRequest()
        spans = request.resource_spans.add().scope_spans.add().spans
        for index, event in enumerate(events[start:start + BATCH], start):
            span = spans.add()
            span.trace_id = index.to_bytes(16, "big")
            span.span_id = (index + 1).to_bytes(8, "big")
            span.name = "chat"
            span.start_time_unix_nano = nanoseconds(event["ts"])
            span.end_time_unix_nano = span.start_time_unix_nano + 1_000_000
            attribute = span.attributes.add()
            attribute.key, attribute.value.string_value = "gen_ai.operation.name", "chat"
            for field, key in names.items():
                if isinstance(event.get(field), str):
                    attribute = span.attributes.add()
                    attribute.key, attribute.value.string_value = key, event[field]
            for field in ("input_tokens", "output_tokens"):
                attribute = span.attributes.add()
                attribute.key, attribute.value.int_value = f"gen_ai.usage.{field}", event[field]
        bodies.append(request.SerializeToString())
    return bodies


def metric(address, name):
    try:
        connection = http.client.HTTPConnection(address, timeout=5)
        connection.request("GET", "/metrics")
        body = connection.getresponse().read().decode()
    except OSError:
        return None
    for line in body.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return 0.0


def wait_for(condition, timeout=600):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise SystemExit("bridge_cost: timed out")


def daemon(binary, workdir, name):
    events, metrics = port(), f"127.0.0.1:{port()}"
    log = open(os.path.join(workdir, f"{name}.log"), "w")
    process = subprocess.Popen(
        [sys.executable, os.path.join(HERE, "cpu_of.py"), os.path.join(workdir, f"{name}.cpu"), "--", binary, "run",
         "--events", f"tcp://127.0.0.1:{events}", "--alerts", f"tcp://127.0.0.1:{port()}", "--metrics", metrics,
         "--catchup", ""], stderr=log)
    wait_for(lambda: metric(metrics, "tokenwatch_events_received_total") is not None)
    return process, f"tcp://127.0.0.1:{events}", metrics


def stop(process, workdir, name):
    process.terminate()
    process.wait()
    return json.load(open(os.path.join(workdir, f"{name}.cpu")))["cpu_seconds"]


def main():
    binary, publish, path, count, workdir = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
    with open(path) as f:
        lines = [line for _, line in zip(range(count), f)]
    count = len(lines)
    subset = os.path.join(workdir, "bridge-events.jsonl")
    open(subset, "w").writelines(lines)
    bodies = batches([json.loads(line) for line in lines])

    direct, endpoint, metrics = daemon(binary, workdir, "direct")
    subprocess.run([publish, endpoint, subset, str(count)],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    wait_for(lambda: metric(metrics, "tokenwatch_events_received_total") == count)
    direct_cpu = stop(direct, workdir, "direct")

    bridged, endpoint, metrics = daemon(binary, workdir, "bridged")
    listen = f"127.0.0.1:{port()}"
    bridge = subprocess.Popen(
        [sys.executable, os.path.join(HERE, "cpu_of.py"), os.path.join(workdir, "bridge.cpu"), "--",
         *os.environ.get("BRIDGE_WRAP", "").split(), binary, "bridge",
         "--listen", listen, "--connect", endpoint], stderr=open(os.path.join(workdir, "bridge.log"), "w"))
    connection = http.client.HTTPConnection(listen, timeout=30)

    def healthy():
        try:
            connection.request("GET", "/healthz")
            return connection.getresponse().read() == b"ok\n"
        except (OSError, http.client.HTTPException):
            connection.close()
            return False
    wait_for(healthy)
    start = time.perf_counter()
    for body in bodies:
        while True:
            connection.request("POST", "/v1/traces", body, {"Content-Type": "application/x-protobuf"})
            response = connection.getresponse()
            response.read()
            if response.status == 200:
                break
            time.sleep(0.01)  # 503: the daemon's queue is full; the SDK would retry likewise
    wait_for(lambda: metric(metrics, "tokenwatch_events_received_total") == count)
    elapsed = time.perf_counter() - start
    connection.close()
    bridge.terminate()
    bridge.wait()
    bridge_cpu = json.load(open(os.path.join(workdir, "bridge.cpu")))["cpu_seconds"]
    bridged_cpu = stop(bridged, workdir, "bridged")
    per = lambda seconds: round(seconds / count * 1e6, 2)  # noqa: E731
    print(json.dumps({
        "bridge": f"{count} events as OTLP/HTTP protobuf, {BATCH} spans per request",
        "cpu_per_event_us": {"daemon_direct": per(direct_cpu), "daemon_via_bridge": per(bridged_cpu),
                             "bridge": per(bridge_cpu)},
        "bridge_share_of_daemon": round(bridge_cpu / direct_cpu, 3) if direct_cpu > 0 else None,
        "via_bridge_per_second": round(count / elapsed)}))


if __name__ == "__main__":
    main()
