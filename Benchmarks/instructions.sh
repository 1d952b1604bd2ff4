#!/usr/bin/env bash
# make instructions: instructions per event of the decode and detection stages, counted by callgrind.
#
# Why instructions: on a shared machine the same binary's time moves by a third between runs, so a change of a
# few percent cannot be seen in timings; callgrind counts what the code executes, the same in every run (to
# within the probe lengths of hash tables, whose seed is random per process: ±0.2%). It sees no cache misses,
# so timings (make bench) stay the measure of what a change is worth at scale; this is for before and after.
#
# INSTRUCTION_EVENTS (default 20 000) sets how many events, the first of the bench file (800 people, 14 days,
# seed 42), or of INSTRUCTION_FILE when it names another events file (BENCHMARKS.md counts a day of 30 000
# people so). Prints one JSON line. Needs valgrind (Debian package; `make instructions` installs it).
set -euo pipefail
cd "$(dirname "$0")/.."
EVENTS=${INSTRUCTION_EVENTS:-20000}
swift build -c release --product tokenwatch >&2
swift build -c release --product tokenwatch-bench >&2
mkdir -p .build/bench
# valgrind 3.19 (Debian bookworm) cannot read the DWARF 5 debug information Swift 6 writes: it gives up on the
# binary. Without it, callgrind still names every function from the symbol table.
objcopy --strip-debug .build/release/tokenwatch-bench .build/bench/tokenwatch-bench-nodebug
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
SOURCE=${INSTRUCTION_FILE:-$WORK/all.jsonl}
if [ -z "${INSTRUCTION_FILE:-}" ]; then
    .build/release/tokenwatch generate --people 800 --days 14 --seed 42 --output "$SOURCE" 2>/dev/null
fi
head -n "$EVENTS" "$SOURCE" > "$WORK/events.jsonl"
# Swift's own hashing (dictionaries, sets) made deterministic, so that only SubjectHash's seed varies.
SWIFT_DETERMINISTIC_HASHING=1 valgrind --tool=callgrind --callgrind-out-file="$WORK/callgrind.out" \
    .build/bench/tokenwatch-bench-nodebug once "$WORK/events.jsonl" > "$WORK/once.json" 2> "$WORK/valgrind.log"
callgrind_annotate --inclusive=yes --threshold=100 "$WORK/callgrind.out" > "$WORK/annotated.txt"
python3 - "$WORK/once.json" "$WORK/annotated.txt" <<'PY'
import json, re, sys
run = json.load(open(sys.argv[1]))
inclusive = {}
for line in open(sys.argv[2]):
    match = re.match(r"\s*([\d,]+) \([^)]*\)\s+\S*:(\S+)", line) or re.match(r"\s*([\d,]+)\s+\S*:(\S+)", line)
    if match:
        inclusive.setdefault(match.group(2), int(match.group(1).replace(",", "")))
# The two stages by their (mangled) Swift names: EventDecoder.decodeEvent(_:) and the batch entry point
# DetectionEngine.detect(_:latestAccepted:on:rejected:into:).
stages = {"decode": "EventDecoderC06decodeD0", "detect": "DetectionEngineV6detect_14latestAccepted2on8rejected4into"}
result = {"events": run["events"], "alerts": run["alerts"]}
for stage, name in stages.items():
    counts = [count for symbol, count in inclusive.items() if name in symbol]
    if not counts:
        sys.exit(f"no function {name} in callgrind's output")
    result[f"{stage}_instructions_per_event"] = round(max(counts) / run["events"])
print(json.dumps(result))
PY
