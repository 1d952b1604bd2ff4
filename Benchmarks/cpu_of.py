#!/usr/bin/env python3
"""Runs a command and writes the CPU time it used (user + system, all its threads), its minor page faults and its
peak resident memory to a file when it exits.

usage: cpu_of.py OUT -- COMMAND [ARGS...]

SIGTERM and SIGINT are passed on to the command, so a benchmark can stop a daemon through this wrapper and still
get its figure. The figure comes from wait4's resource usage: the whole process, libzmq's I/O threads included.
"""
import json
import os
import signal
import sys

out, separator, command = sys.argv[1], sys.argv[2], sys.argv[3:]
if separator != "--" or not command:
    sys.exit(__doc__)
child = os.fork()
if child == 0:
    os.execvp(command[0], command)
for number in (signal.SIGTERM, signal.SIGINT):
    signal.signal(number, lambda signum, _frame: os.kill(child, signum))
while True:
    try:
        _, status, usage = os.wait4(child, 0)
        break
    except InterruptedError:
        continue
with open(out, "w") as f:
    # Page faults and peak memory too: how the allocator treats the stream shows in the kernel's share.
    json.dump({"cpu_seconds": usage.ru_utime + usage.ru_stime, "user": usage.ru_utime, "system": usage.ru_stime,
               "minor_page_faults": usage.ru_minflt, "peak_rss_kib": usage.ru_maxrss}, f)
sys.exit(os.waitstatus_to_exitcode(status))
