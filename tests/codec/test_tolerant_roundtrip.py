"""The tolerant path is stable (issue 11): whatever a tolerant decode accepts, it writes
back byte for byte in the same version, and decoding that again gives the same message.
Only ``JT808Error`` subclasses may come out, strict or not.

Bodies: random bytes for every ``(version, msg_id)`` the codec knows, and standard
bodies (encoded here from simple messages) with bytes appended, cut or flipped.
"""
from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jt808.codec import (MESSAGES, LocationReport, Mileage, SetTerminalParams, TerminalParam,
                         TerminalRegister, decode_body, encode_body)
from jt808.errors import JT808Error
from jt808.frame import Version

KEYS = sorted(MESSAGES, key=lambda key: (key[0].value, key[1]))
FUZZ = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])

SEEDS = {
    0x0200: LocationReport(0, 3, 31.8, 117.2, 120, 60.5, 90, dt.datetime(2022, 6, 27, 10, 11, 30),
                           (Mileage(100.0),)),
    0x0100: TerminalRegister(44, 100, "70111", "EC200U", "T0001", 1, "粤B12345"),
    0x8103: SetTerminalParams((TerminalParam(1, 30), TerminalParam(0x13, "host"))),
}


def check_stable(msg_id: int, body: bytes, version: Version) -> None:
    try:
        decode_body(msg_id, body, version, strict=True)
    except JT808Error:
        pass
    try:
        message = decode_body(msg_id, body, version)
    except JT808Error:
        return
    read_as = message.tolerated.version if message.tolerated is not None else version
    again = encode_body(message, read_as)
    assert again == body, (hex(msg_id), version, message.quirks)
    second = decode_body(msg_id, again, read_as)
    assert second == message
    assert encode_body(second, read_as) == again


@FUZZ
@given(key=st.sampled_from(KEYS), body=st.binary(max_size=120))
def test_random_bodies_round_trip_when_accepted(key, body):
    version, msg_id = key
    check_stable(msg_id, body, version)


@FUZZ
@given(msg_id=st.sampled_from(sorted(SEEDS)),
       version=st.sampled_from([Version.V2011, Version.V2013, Version.V2019]),
       cut=st.integers(0, 200), tail=st.binary(max_size=12),
       flips=st.lists(st.tuples(st.integers(0, 200), st.integers(0, 255)), max_size=3))
def test_mutated_standard_bodies_round_trip_when_accepted(msg_id, version, cut, tail, flips):
    body = bytearray(encode_body(SEEDS[msg_id], version))
    for pos, value in flips:
        if body:
            body[pos % len(body)] = value
    body = bytes(body[:cut]) + tail
    check_stable(msg_id, body, version)
