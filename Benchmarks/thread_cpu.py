#!/usr/bin/env python3
"""Prints the CPU time each thread of a running process has used, per event, by thread name.

usage: thread_cpu.py PID EVENTS

Read from /proc/PID/task/*/stat (user and system clock ticks) before the process stops: what `cpu_of.py` gives
for the whole process, split by thread, so that libzmq's I/O thread (ZMQbg/IO/0), decoding (tw-decode) and
detection (tw-ingest) can be told apart. Threads of the same name are added up; the rest go under "other".
"""
import json
import os
import sys

pid, events = sys.argv[1], int(sys.argv[2])
ticks = os.sysconf("SC_CLK_TCK")
named = ("ZMQbg/IO/0", "tw-decode", "tw-ingest")
seconds = {}
for task in os.listdir(f"/proc/{pid}/task"):
    try:
        with open(f"/proc/{pid}/task/{task}/comm") as f:
            name = f.read().strip()
        with open(f"/proc/{pid}/task/{task}/stat") as f:
            # The name may hold spaces or parentheses: the fields are counted from after its closing one.
            fields = f.read().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        continue  # the thread ended meanwhile
    used = (int(fields[11]) + int(fields[12])) / ticks  # utime and stime, fields 14 and 15 of stat
    key = name if name in named or name.startswith("tw-detect") else "other"
    seconds[key] = seconds.get(key, 0) + used
print(json.dumps({"daemon_threads_cpu_per_event_us": {name: round(value / events * 1e6, 2)
                                                      for name, value in sorted(seconds.items())}}))
