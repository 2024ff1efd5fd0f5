"""Histograms, merging across processes, the report's last line, resource notes."""
from __future__ import annotations

import pytest

from jt808.frame import Version
from jt808.simulator import Histogram, SharedRoute, SimConfig, Stats, format_report
from jt808.simulator._runner import _shares
from jt808.simulator._system import raise_file_limit


def test_histogram_percentiles_within_two_percent():
    h = Histogram()
    for ms in range(1, 1001):
        h.add(ms / 1000)
    assert h.count == 1000 and h.max == 1.0
    assert h.percentile(50) == pytest.approx(0.5, rel=0.025)
    assert h.percentile(99) == pytest.approx(0.99, rel=0.025)
    assert h.percentile(100) == 1.0
    assert Histogram().percentile(99) == 0.0


def test_histogram_takes_zero_and_huge_latencies():
    h = Histogram()
    h.add(0.0)
    h.add(3600.0)
    assert h.percentile(50) <= 1e-5 and h.percentile(100) == 3600.0


def test_stats_survive_the_trip_between_processes_and_merge():
    a, b = Stats(), Stats()
    for stats, latency in ((a, 0.01), (b, 2.0)):
        stats.bump("terminals", 2)
        stats.sent_request(0x0200)
        stats.replied(0x0200, latency, late_after=1.0)
    b.lost = 3
    b.notes.append("note")
    merged = Stats()
    merged.merge(Stats.from_dict(a.to_dict()))
    merged.merge(Stats.from_dict(b.to_dict()))
    assert merged.counters["terminals"] == 4 and merged.counters["late"] == 1
    assert merged.latency[0x0200].count == 2 and merged.latency[0x0200].max == 2.0
    assert merged.lost == 3 and merged.notes == ["note"]


def test_report_ends_with_sent_acknowledged_lost():
    stats = Stats()
    stats.sent_request(0x0200)
    stats.sent_request(0x0200)
    stats.replied(0x0200, 0.002, 1.0)
    stats.lost = 1
    text = format_report(stats)
    assert text.splitlines()[-1] == "sent 2, acknowledged 1, lost 1"
    assert "0x0200 location" in text


def test_terminals_are_shared_out_over_processes():
    assert _shares(7, 3) == [(0, 3), (3, 2), (5, 2)]
    assert sum(n for _, n in _shares(10_000, 4)) == 10_000


def test_phone_numbers_fit_the_version():
    assert SimConfig("tcp://h:1").phone(5) == "013900000005"
    assert len(SimConfig("tcp://h:1", version=Version.V2019).phone(5)) == 20


def test_file_limit_beyond_the_hard_limit_is_said():
    notes = raise_file_limit(10**9)
    assert any("open-file limit" in note for note in notes)


def test_route_offsets_differ_and_reports_encode():
    from jt808.codec import encode_body
    route = SharedRoute()
    one, two = route.report(route.offset_for(1), 0, 1.7e9), route.report(route.offset_for(2), 0, 1.7e9)
    assert (one.latitude, one.longitude) != (two.latitude, two.longitude)
    assert len(encode_body(one, Version.V2013)) == 28


def test_reports_after_the_ramp_are_timed_apart():
    from jt808.simulator._stats import STEADY_LOCATION
    stats = Stats()
    stats.sent_request(0x0200)
    stats.sent_request(0x0200)
    stats.replied(0x0200, 5.0, 1.0)                 # during the ramp: slow
    stats.replied(0x0200, 0.004, 1.0, steady=True)
    assert stats.latency[0x0200].count == 2 and stats.latency[STEADY_LOCATION].count == 1
    assert stats.p99() <= 0.005 and stats.p99(0x0200) == 5.0
    assert "after ramp" in format_report(stats)
    assert stats.counters["acknowledged"] == 2
