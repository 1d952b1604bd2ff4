#!/usr/bin/env python3
"""A TokenWatch alert consumer that misses nothing: the pattern to copy.

It subscribes to the alert socket, notices lost alerts (a jump in the per-topic sequence frame, or a reconnect
after the daemon or the network went away), fetches what it missed from the daemon's catch-up socket, and
hands every alert to `handle` exactly once, in order, even across its own restarts (it remembers the last
`seq` it handled in a small state file).

    python3 consumer.py [--alerts tcp://127.0.0.1:7701] [--catchup tcp://127.0.0.1:7702] [--state consumer.state]

Requires pyzmq. With two daemon replicas, run one consumer per replica and deduplicate on the alert `id`
(equal on both replicas for the same events) where the two streams meet, as `handle` does here.
"""
import argparse
import json
import os
import struct
import sys
from collections import OrderedDict

import zmq


def handle(alert):
    """Replace with your action (ticket, page, chat message). Alerts never contain prompt text."""
    print(json.dumps(alert, sort_keys=True), flush=True)


class Consumer:
    def __init__(self, alerts, catchup, state_path, topics=(b"alert.",)):
        self.context = zmq.Context()
        self.sub = self.context.socket(zmq.SUB)
        for topic in topics:
            self.sub.setsockopt(zmq.SUBSCRIBE, topic)
        self.topics = tuple(t.decode() for t in topics)
        # A monitor tells us when the connection (re)establishes: alerts may have gone by meanwhile.
        self.monitor = self.sub.get_monitor_socket(zmq.EVENT_HANDSHAKE_SUCCEEDED)
        self.sub.connect(alerts)
        self.catchup = self.context.socket(zmq.DEALER)
        self.catchup.connect(catchup)
        self.state_path = state_path
        self.last_seq = self._load_state()   # the newest seq handled, or None
        self.seen_ids = OrderedDict()        # recent ids, to drop duplicates
        self.expected = {}                   # next sequence frame per topic

    def _load_state(self):
        try:
            with open(self.state_path) as f:
                return int(f.read().strip())
        except (FileNotFoundError, ValueError):
            return None

    def _save_state(self):
        temporary = self.state_path + ".tmp"
        with open(temporary, "w") as f:
            f.write(str(self.last_seq))
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, self.state_path)

    def deliver(self, alert):
        if "seq" not in alert:
            # An alert about the daemon itself (alert.tokenwatch.*): live only, not journaled, no seq.
            if alert["id"] not in self.seen_ids:
                self.seen_ids[alert["id"]] = True
                handle(alert)
            return
        if alert["id"] in self.seen_ids or (self.last_seq is not None and alert["seq"] <= self.last_seq):
            return  # a duplicate: already handled live, from catch-up, or before a restart
        self.seen_ids[alert["id"]] = True
        if len(self.seen_ids) > 100_000:
            self.seen_ids.popitem(last=False)
        handle(alert)
        self.last_seq = alert["seq"]
        self._save_state()

    def catch_up(self):
        """Fetches every retained alert after the last one handled, in batches, oldest first."""
        since = 0 if self.last_seq is None else self.last_seq + 1
        while True:
            self.catchup.send_json({"since": since})
            if not self.catchup.poll(5000):
                print("catch-up: no answer from the daemon", file=sys.stderr)
                return
            reply = self.catchup.recv_json()
            first, last = reply.get("first"), reply.get("last")
            if first is not None and since < first and self.last_seq is not None:
                print(f"catch-up: alerts {since}..{first - 1} are no longer retained", file=sys.stderr)
            for entry in reply["alerts"]:
                if entry["topic"].startswith(self.topics):
                    self.deliver(entry["alert"])
            if not reply["alerts"] or last is None or reply["next"] > last:
                return
            since = reply["next"]

    def run(self):
        self.catch_up()  # whatever was published while this consumer was not running
        poller = zmq.Poller()
        poller.register(self.sub, zmq.POLLIN)
        poller.register(self.monitor, zmq.POLLIN)
        connections = 0
        while True:
            ready = dict(poller.poll())
            if self.monitor in ready:
                self.monitor.recv_multipart()
                connections += 1
                if connections > 1:
                    self.catch_up()  # reconnected
            if self.sub in ready:
                topic, payload, sequence = self.sub.recv_multipart()
                topic = topic.decode()
                (number,) = struct.unpack("<I", sequence)
                expected = self.expected.get(topic)
                self.expected[topic] = number + 1
                if expected is not None and number > expected:
                    self.catch_up()  # a gap: the missing ones are in the journal (this one too)
                self.deliver(json.loads(payload))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--alerts", default="tcp://127.0.0.1:7701")
    parser.add_argument("--catchup", default="tcp://127.0.0.1:7702")
    parser.add_argument("--state", default="consumer.state")
    arguments = parser.parse_args()
    try:
        Consumer(arguments.alerts, arguments.catchup, arguments.state).run()
    except KeyboardInterrupt:
        pass
