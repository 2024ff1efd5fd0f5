"""Counters and latency histograms of a simulation; mergeable across processes."""
from __future__ import annotations

import math

import attrs

__all__ = ["Histogram", "Stats", "MESSAGE_NAMES", "STEADY_LOCATION", "format_report"]

#: Requests the simulated terminals time, by message id.
MESSAGE_NAMES = {0x0100: "register", 0x0102: "auth", 0x0002: "heartbeat",
                 0x0200: "location"}
#: Latency key of the 0x0200 reports sent after the ramp (every terminal up).
STEADY_LOCATION = 0x10200

_BASE = 1e-6                 # smallest latency bucket: 1 µs
_STEP = math.log(1.02)       # buckets 2 % wide: percentiles within 2 %


@attrs.define
class Histogram:
    """Latencies in log buckets (bounded memory, mergeable); ``max`` kept exactly."""

    buckets: dict[int, int] = attrs.field(factory=dict)
    count: int = 0
    max: float = 0.0

    def add(self, seconds: float) -> None:
        key = int(math.log(max(seconds, _BASE) / _BASE) / _STEP)
        self.buckets[key] = self.buckets.get(key, 0) + 1
        self.count += 1
        if seconds > self.max:
            self.max = seconds

    def merge(self, other: Histogram) -> None:
        for key, n in other.buckets.items():
            self.buckets[key] = self.buckets.get(key, 0) + n
        self.count += other.count
        self.max = max(self.max, other.max)

    def percentile(self, p: float) -> float:
        """Upper edge of the bucket holding the ``p``-th percentile (0 when empty)."""
        if not self.count:
            return 0.0
        rank = math.ceil(self.count * p / 100)
        seen = 0
        for key in sorted(self.buckets):
            seen += self.buckets[key]
            if seen >= rank:
                return min(_BASE * math.exp((key + 1) * _STEP), self.max)
        return self.max


#: Counter names, in the order the progress line shows the live ones.
COUNTERS = ("terminals", "connected", "authenticated", "ever_authenticated", "reconnects",
            "connect_failures", "frames_sent", "frames_received", "sent", "acknowledged",
            "late", "timed_out", "commands_answered", "protocol_errors", "terminal_errors")


@attrs.define
class Stats:
    """What one process saw. ``sent``/``acknowledged`` count requests that want a reply
    (register, auth, heartbeat, location); ``late``: replies slower than the threshold;
    ``timed_out``: requests the session gave up on; ``lost`` is set at the end."""

    counters: dict[str, int] = attrs.field(factory=lambda: dict.fromkeys(COUNTERS, 0))
    latency: dict[int, Histogram] = attrs.field(factory=dict)
    sent_by_type: dict[int, int] = attrs.field(factory=dict)
    lost: int = 0
    memory_bytes: int = 0       # RSS growth while every terminal was up
    elapsed: float = 0.0
    notes: list[str] = attrs.field(factory=list)

    def bump(self, name: str, n: int = 1) -> None:
        self.counters[name] += n

    def sent_request(self, msg_id: int) -> None:
        self.counters["sent"] += 1
        self.sent_by_type[msg_id] = self.sent_by_type.get(msg_id, 0) + 1

    def replied(self, msg_id: int, seconds: float, late_after: float,
                steady: bool = False) -> None:
        self.counters["acknowledged"] += 1
        if steady:
            self._histogram(STEADY_LOCATION).add(seconds)
        self._histogram(msg_id).add(seconds)
        if seconds > late_after:
            self.counters["late"] += 1

    def _histogram(self, key: int) -> Histogram:
        histogram = self.latency.get(key)
        if histogram is None:
            histogram = self.latency[key] = Histogram()
        return histogram

    def merge(self, other: Stats) -> None:
        for name, value in other.counters.items():
            self.counters[name] = self.counters.get(name, 0) + value
        for msg_id, histogram in other.latency.items():
            self.latency.setdefault(msg_id, Histogram()).merge(histogram)
        for msg_id, n in other.sent_by_type.items():
            self.sent_by_type[msg_id] = self.sent_by_type.get(msg_id, 0) + n
        self.lost += other.lost
        self.memory_bytes += other.memory_bytes
        self.elapsed = max(self.elapsed, other.elapsed)
        self.notes.extend(n for n in other.notes if n not in self.notes)

    def p99(self, msg_id: int = STEADY_LOCATION) -> float:
        histogram = self.latency.get(msg_id)
        return histogram.percentile(99) if histogram else 0.0

    @property
    def memory_per_terminal(self) -> float:
        terminals = self.counters["terminals"]
        return self.memory_bytes / terminals if terminals else 0.0

    def to_dict(self) -> dict:
        return attrs.asdict(self, recurse=True)

    @classmethod
    def from_dict(cls, data: dict) -> Stats:
        latency = {int(k): Histogram(**v) for k, v in data["latency"].items()}
        return cls(dict(data["counters"]), latency, dict(data["sent_by_type"]), data["lost"],
                   data["memory_bytes"], data["elapsed"], list(data["notes"]))


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def format_report(stats: Stats) -> str:
    """The final report; its last line is ``sent N, acknowledged N, lost N``."""
    c = stats.counters
    lines = [f"terminals {c['terminals']}, authenticated {c['ever_authenticated']}, "
             f"reconnects {c['reconnects']}, connect failures {c['connect_failures']}, "
             f"commands answered {c['commands_answered']}, "
             f"protocol errors {c['protocol_errors']}, terminal errors {c['terminal_errors']}",
             f"elapsed {stats.elapsed:.1f} s, memory {stats.memory_per_terminal / 1024:.1f} KB "
             f"per terminal (RSS growth), replies late {c['late']}, "
             f"timed out {c['timed_out']}",
             f"{'message':<16} {'sent':>8} {'acked':>8} {'p50 ms':>9} {'p90 ms':>9} "
             f"{'p99 ms':>9} {'max ms':>9}"]
    for msg_id in sorted(set(stats.sent_by_type) | set(stats.latency)):
        h = stats.latency.get(msg_id, Histogram())
        name = "  after ramp" if msg_id == STEADY_LOCATION else \
            f"0x{msg_id:04X} {MESSAGE_NAMES.get(msg_id, '')}"
        sent = "" if msg_id == STEADY_LOCATION else stats.sent_by_type.get(msg_id, 0)
        lines.append(f"{name:<16} {sent:>8} {h.count:>8} "
                     f"{_ms(h.percentile(50)):>9} {_ms(h.percentile(90)):>9} "
                     f"{_ms(h.percentile(99)):>9} {_ms(h.max):>9}")
    lines.extend(stats.notes)
    lines.append(f"sent {c['sent']}, acknowledged {c['acknowledged']}, lost {stats.lost}")
    return "\n".join(lines)


def progress_line(counters: dict[str, int], rate: float, elapsed: float) -> str:
    c = counters
    return (f"[{elapsed:5.0f} s] connected {c['connected']}/{c['terminals']} "
            f"authenticated {c['authenticated']} msgs/s {rate:.0f} "
            f"late {c['late']} missing {c['timed_out']} reconnects {c['reconnects']}")
