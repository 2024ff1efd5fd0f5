"""Fuzz ``TerminalSession.receive_data`` / ``PlatformSession.receive_data``.

Streams of hostile frames (known and random ids, random and valid bodies, subpackets
with hostile totals and indexes, encryption bits) and junk, split at random points.
Only ``RemoteProtocolError`` subclasses may leave ``receive_data`` (stricter than
the brief's ``JT808Error``), nothing may leave ``handle_timer``; afterwards ``next_event``
drains without raising, timers run, and reassembly memory stays within its limits.
Sessions are built in all three versions (2011 too: issue 14), tolerant (the default,
issue 11) and strict.
"""
from __future__ import annotations

from fuzz_support import mutate, mutations, valid_bodies
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wire import hostile_frames, raw_frame

from jt808.errors import RemoteProtocolError
from jt808.frame import Version
from jt808.session import (AUTHENTICATED, CONNECTED, PlatformSession, ReassemblyLimits,
                           TerminalSession)

FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SMALL = ReassemblyLimits(max_packets=16, max_bytes=600, max_messages=2, timeout=5.0,
                         max_requests=1)


VERSIONS = st.sampled_from([Version.V2011, Version.V2013, Version.V2019])


def _session(role: str, version: Version, state: str, small: bool, strict: bool = False):
    options = {"state": state, "limits": SMALL if small else None, "strict": strict}
    if role == "terminal":
        return TerminalSession("13800138000", version, **options)
    return PlatformSession(version=None if state == CONNECTED else version, **options)


def _drain(session) -> int:
    count = 0
    while session.next_event() is not None:
        count += 1
        assert count < 100_000
    return count


def _check_bounds(session) -> None:
    limits = session.reassembler.limits
    assert len(session.reassembler.partials) <= limits.max_messages
    for partial in session.reassembler.partials.values():
        assert len(partial.pieces) <= limits.max_packets
        assert partial.size <= limits.max_bytes


def _feed(session, data: bytes, cuts: list[int], now: float) -> None:
    points = sorted({c % (len(data) + 1) for c in cuts} | {0, len(data)})
    for a, b in zip(points, points[1:]):
        try:
            session.receive_data(data[a:b], now)
        except RemoteProtocolError:   # stricter than the brief: no LocalProtocolError either
            pass
        _check_bounds(session)
        now += 0.5
    _drain(session)
    for later in (now + 10, now + 100, now + 1000, now + 10_000):
        session.handle_timer(later)
        _check_bounds(session)
        _drain(session)
        session.data_to_send()


def _streams(v2019: bool):
    frame = hostile_frames(v2019, valid_bodies())
    return st.lists(frame | frame | st.binary(max_size=40), max_size=12)


@FUZZ
@given(role=st.sampled_from(["terminal", "platform"]), version=VERSIONS,
       state=st.sampled_from([CONNECTED, AUTHENTICATED]), small=st.booleans(),
       strict=st.booleans(), data=st.data(), cuts=st.lists(st.integers(0, 100_000), max_size=6))
def test_receive_hostile_frame_streams(role, version, state, small, strict, data, cuts):
    session = _session(role, version, state, small, strict)
    parts = data.draw(_streams(version is Version.V2019))
    _feed(session, b"".join(parts), cuts, 0.0)


@FUZZ
@given(role=st.sampled_from(["terminal", "platform"]), version=VERSIONS, data=st.data(),
       ops=mutations)
def test_receive_mutated_streams(role, version, data, ops):
    session = _session(role, version, AUTHENTICATED, False)
    stream = b"".join(data.draw(_streams(version is Version.V2019)))
    _feed(session, mutate(stream, ops), [], 0.0)


@settings(max_examples=100, deadline=None)
@given(role=st.sampled_from(["terminal", "platform"]), version=VERSIONS,
       msg_id=st.sampled_from([0x0200, 0x0801, 0x8103, 0x8001, 0x0001, 0x0704]),
       packets=st.lists(st.tuples(st.integers(0, 0xFFFF), st.integers(0, 0xFFFF),
                                  st.integers(0, 0xFFFF), st.binary(max_size=30)),
                        min_size=1, max_size=40))
def test_receive_hostile_subpackets(role, version, msg_id, packets):
    """Totals and indexes anywhere in 0..65535, serials colliding, bodies of any size."""
    session = _session(role, version, AUTHENTICATED, True)
    v2019 = version is Version.V2019
    stream = b"".join(raw_frame(msg_id, body, v2019=v2019, serial=serial,
                                packet=(total % 20 if total % 3 else total, index % 22
                                        if index % 3 else index))
                      for serial, total, index, body in packets)
    _feed(session, stream, [], 0.0)


@settings(max_examples=100, deadline=None)
@given(role=st.sampled_from(["terminal", "platform"]), version=VERSIONS,
       msg_id=st.sampled_from(sorted({k[1] for k in valid_bodies()})),
       encryption=st.integers(1, 7), body=st.binary(max_size=200))
def test_receive_encrypted_without_key(role, version, msg_id, encryption, body):
    session = _session(role, version, AUTHENTICATED, False)
    _feed(session, raw_frame(msg_id, body, v2019=version is Version.V2019,
                             encryption=encryption), [], 0.0)


@settings(max_examples=100, deadline=None)
@given(role=st.sampled_from(["terminal", "platform"]), version=VERSIONS,
       msg_id=st.sampled_from([0x0004, 0x0005, 0x8003, 0x8004, 0x8204, 0x0A00, 0x8A00,
                               0x0302, 0x8302, 0x8608, 0x0608]),
       body=st.binary(max_size=40), serial=st.integers(0, 0xFFFF))
def test_every_version_survives_messages_of_other_versions(role, version, msg_id, body,
                                                          serial):
    """issue 14: a 2011 session given 0x0005/0x0004 raised; now answered result 3."""
    session = _session(role, version, AUTHENTICATED, False)
    _feed(session, raw_frame(msg_id, body, v2019=version is Version.V2019, serial=serial),
          [], 0.0)
