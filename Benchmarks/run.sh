#!/usr/bin/env bash
# make bench: release build, then every measurement of BENCHMARKS.md in one run, on loopback.
# BENCH_PEOPLE (default 800: ~1.1 million events over 14 days) sets the size; BENCH_SMOKE=1 runs a tiny
# version in seconds (what CI may do). Prints JSON lines; nothing here asserts a timing.
set -euo pipefail
cd "$(dirname "$0")/.."
PEOPLE=${BENCH_PEOPLE:-800}
DAYS=14
SECONDS_LATENCY=10
SUBJECT_COUNTS="10000 100000 1000000"
HISTORY="50000 64"
ROUNDS=3
BRIDGE_EVENTS=200000
# A steady rate both the receiver and the daemon keep up with, as a provisioned daemon runs.
STEADY_RATE=150000
if [ "${BENCH_SMOKE:-0}" = 1 ]; then PEOPLE=10; DAYS=2; SECONDS_LATENCY=1; SUBJECT_COUNTS="1000"; HISTORY="1000 4"; ROUNDS=1; BRIDGE_EVENTS=2000; fi

# One product per invocation: given several --product flags, swift build builds only the last.
swift build -c release --product tokenwatch >&2
swift build -c release --product tokenwatch-bench >&2
BIN=.build/release
mkdir -p .build/bench
cc -O2 -o .build/bench/publish Benchmarks/ceiling/publish.c -lzmq
cc -O2 -o .build/bench/receive Benchmarks/ceiling/receive.c -lzmq
# A C++ compiler: the system's, or the Swift toolchain's clang (always there where this builds).
CXX=${CXX:-$(command -v c++ || command -v clang++ || echo "$(dirname "$(command -v swift)")/clang++")}
"$CXX" -O2 -std=c++17 -o .build/bench/parse_only Benchmarks/ceiling/parse_only.cpp -lsimdjson
WORK=$(mktemp -d)
trap 'pkill -P $$ 2>/dev/null || true; rm -rf "$WORK"' EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB"
$BIN/tokenwatch generate --people "$PEOPLE" --days "$DAYS" --seed 42 --output "$WORK/events.jsonl" 2>/dev/null
COUNT=$(wc -l < "$WORK/events.jsonl")
echo "# events: $COUNT realistic token events ($PEOPLE people, $DAYS days)"

# The receiver and the daemon both run under cpu_of.py, which writes the CPU time each used (all threads), its
# page faults and peak memory when it exits. Each function leaves NAME.cpu in $WORK.
#
# receive_all NAME [RATE]: the bare receiver takes the whole file from publish.c (at RATE events/s if given).
receive_all() {
  local port; port=$(port)
  python3 Benchmarks/cpu_of.py "$WORK/$1.cpu" -- .build/bench/receive "tcp://127.0.0.1:$port" "$COUNT" > "$WORK/$1.out" &
  local receiver=$!
  until grep -q ready "$WORK/$1.out" 2>/dev/null; do sleep 0.05; done
  .build/bench/publish "tcp://127.0.0.1:$port" "$WORK/events.jsonl" "$COUNT" ${2:-} > /dev/null 2> >(grep -v "^sending" >&2)
  wait $receiver
}
# start_daemon NAME: tokenwatch run, every detector on, on fresh ports E (events), A (alerts), M (metrics); DAEMON
# is cpu_of.py's process. Returns once it is ready.
start_daemon() {
  E=$(port); A=$(port); M=$(port)
  python3 Benchmarks/cpu_of.py "$WORK/$1.cpu" -- \
      $BIN/tokenwatch run --events "tcp://127.0.0.1:$E" --alerts "tcp://127.0.0.1:$A" --metrics "127.0.0.1:$M" --catchup "" 2> "$WORK/$1.log" &
  DAEMON=$!
  until grep -qs '] ready' "$WORK/$1.log"; do sleep 0.05; done
}
metric() { curl -s "127.0.0.1:$M/metrics" | awk -v name="$1" '$1 == name {print $2}'; }
# stop_daemon: prints the daemon's CPU by thread, read while it still runs (how much of it is libzmq's I/O thread,
# which does what the bare receiver does), then stops it.
stop_daemon() {
  python3 Benchmarks/thread_cpu.py "$(pgrep -P $DAEMON)" "$COUNT"
  kill -TERM $DAEMON; wait $DAEMON || true
}
# cpu_report RECEIVER DAEMON [RATE]: CPU per event of each, what the daemon costs against what the transport alone
# costs for the same events; without RATE (sent as fast as each took them) also the kernel's share, page faults
# and peak memory of each: what the allocator makes of the stream.
cpu_report() {
  python3 - "$COUNT" "$WORK/$1.cpu" "$WORK/$2.cpu" ${3:-} <<'PY'
import json, sys
count = int(sys.argv[1])
receiver = json.load(open(sys.argv[2]))
daemon = json.load(open(sys.argv[3]))
rate = {"steady_rate": int(sys.argv[4])} if len(sys.argv) > 4 else {}
print(json.dumps({**rate, "cpu_per_event_us": {"libzmq_receiver": round(receiver["cpu_seconds"] / count * 1e6, 2),
                                               "tokenwatch_run": round(daemon["cpu_seconds"] / count * 1e6, 2)},
                  "cpu_efficiency": round(receiver["cpu_seconds"] / daemon["cpu_seconds"], 3)
                  if daemon["cpu_seconds"] > 0 else None}))
if not rate:
    print(json.dumps({"process_costs": {name: {"system_us_per_event": round(run["system"] / count * 1e6, 2),
                                               "minor_page_faults": run["minor_page_faults"],
                                               "peak_rss_mib": round(run["peak_rss_kib"] / 1024)}
                                        for name, run in (("libzmq_receiver", receiver), ("tokenwatch_run", daemon))}}))
PY
}

echo "# ingest: the ceiling (a C receiver that only counts), then tokenwatch run with every detector"
receive_all receive
CEILING=$(tail -1 "$WORK/receive.out")
echo "{\"ingest\": \"libzmq receive only\", \"result\": $CEILING}"

start_daemon daemon
# Timed from the moment the publisher starts sending (it prints it), as the ceiling is timed from its first
# message: the publisher's loading of the file is not the daemon's time.
.build/bench/publish "tcp://127.0.0.1:$E" "$WORK/events.jsonl" "$COUNT" > /dev/null 2> "$WORK/publish.err" &
PUBLISHER=$!
until [ "$(metric tokenwatch_events_received_total)" = "$COUNT" ]; do sleep 0.02; done
END=$(date +%s.%N)
wait $PUBLISHER
START=$(awk '/^sending/ {print $2}' "$WORK/publish.err")
REJECTED=$(curl -s "127.0.0.1:$M/metrics" | awk '/^tokenwatch_events_rejected_total/ {s+=$2} END {print s+0}')
python3 - "$COUNT" "$START" "$END" "$CEILING" "$REJECTED" "$(metric tokenwatch_events_processed_total)" <<'PY'
import json, sys
count, start, end, ceiling, rejected, processed = sys.argv[1:]
rate = int(count) / (float(end) - float(start))
ceiling = json.loads(ceiling)["per_second"]
print(json.dumps({"ingest": "tokenwatch run, all detectors", "events": int(count), "processed": int(processed),
                  "rejected": int(rejected), "per_second": round(rate), "share_of_ceiling": round(rate / ceiling, 3)}))
PY
stop_daemon
cpu_report receive daemon

echo "# CPU per event at a steady $STEADY_RATE events/s (publisher paced): short queues, threads woken per batch"
receive_all receive-steady "$STEADY_RATE"
start_daemon daemon-steady
.build/bench/publish "tcp://127.0.0.1:$E" "$WORK/events.jsonl" "$COUNT" "$STEADY_RATE" > /dev/null 2>&1
until [ "$(metric tokenwatch_events_received_total)" = "$COUNT" ]; do sleep 0.02; done
stop_daemon
cpu_report receive-steady daemon-steady "$STEADY_RATE"

echo "# the bridge: the first $BRIDGE_EVENTS events sent directly, then as OTLP/HTTP protobuf through tokenwatch bridge"
python3 Benchmarks/bridge_cost.py $BIN/tokenwatch .build/bench/publish "$WORK/events.jsonl" "$BRIDGE_EVENTS" "$WORK"

echo "# replay of the file, beside a Python loop that only parses it (alternated, $ROUNDS rounds, best of each)"
python3 - "$WORK/events.jsonl" "$BIN/tokenwatch" "$ROUNDS" <<'PY'
import json, subprocess, sys, time
path, binary, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
# Alternated and the best of each kept: on a shared machine a neighbour's burst can slow either side of one
# pair by half; the best of several rounds is each program's own speed. Every round is printed too.
pythons, replays = [], []
for _ in range(rounds):
    start = time.perf_counter(); n = 0
    with open(path) as f:
        for line in f:
            json.loads(line); n += 1
    pythons.append(n / (time.perf_counter() - start))
    start = time.perf_counter()
    subprocess.run([binary, "replay", path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    replays.append(n / (time.perf_counter() - start))
print(json.dumps({"replay_per_second": round(max(replays)), "python_json_loads_per_second": round(max(pythons)),
                  "ratio": round(max(replays) / max(pythons), 2),
                  "rounds": [{"replay": round(r), "python": round(p)} for r, p in zip(replays, pythons)]}))
PY

echo "# cost per event of each stage, after the floor of parsing (simdjson alone, no field read)"
.build/bench/parse_only "$WORK/events.jsonl"
$BIN/tokenwatch-bench stages "$WORK/events.jsonl"

echo "# the detection stage on 1 and 2 threads (events decoded beforehand), and what more cores would give"
$BIN/tokenwatch-bench threads "$WORK/events.jsonl"

echo "# the same on the first 300 000 events with ids as long as real ones (e-mail addresses; Benchmarks/long_ids.py)"
python3 Benchmarks/long_ids.py "$WORK/events.jsonl" "$WORK/long-ids.jsonl" 300000
$BIN/tokenwatch-bench threads "$WORK/long-ids.jsonl"

echo "# memory and time per event by number of tracked subjects"
for n in $SUBJECT_COUNTS; do $BIN/tokenwatch-bench memory "$n"; done
echo "# the same at the fewest subjects without any detector (the progress measure, admission, the lifecycle)"
$BIN/tokenwatch-bench memory "${SUBJECT_COUNTS%% *}" Benchmarks/configs/no-detectors.yaml

echo "# memory per tracked subject over a long history: a new prompt from every person every minute for an hour"
# shellcheck disable=SC2086 # two numbers: subjects and calls
$BIN/tokenwatch-bench history $HISTORY

echo "# event-to-alert latency at a steady 20 000 and 50 000 events/s (after a 5 s warm-up)"
for RATE in 20000 50000; do
  E=$(port); A=$(port)
  $BIN/tokenwatch run --events "tcp://127.0.0.1:$E" --alerts "tcp://127.0.0.1:$A" --metrics "" --catchup "" 2> "$WORK/daemon-$RATE.log" &
  DAEMON=$!
  until grep -qs '] ready' "$WORK/daemon-$RATE.log"; do sleep 0.05; done
  $BIN/tokenwatch-bench latency "tcp://127.0.0.1:$E" "tcp://127.0.0.1:$A" "$RATE" "$SECONDS_LATENCY"
  kill -TERM $DAEMON; wait $DAEMON || true
done
