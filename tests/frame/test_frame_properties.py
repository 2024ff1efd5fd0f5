"""Property tests: unpack(pack(f)) == f; the Framer never raises on any input."""
from __future__ import annotations

import functools
import operator

from hypothesis import given, settings
from hypothesis import strategies as st

from jt808.errors import FrameError
from jt808.frame import (MAX_BODY, Frame, Framer, Header, Version, escape, pack, unescape,
                         unpack, xor_check)

from ._vectors import VECTORS

FAST = settings(max_examples=150, deadline=None)


@st.composite
def headers(draw):
    version = draw(st.sampled_from(list(Version)))
    width = 20 if version is Version.V2019 else 12
    total = draw(st.integers(1, 0xFFFF))
    return Header(
        msg_id=draw(st.integers(0, 0xFFFF)),
        phone=draw(st.text("0123456789", max_size=width)),
        serial=draw(st.integers(0, 0xFFFF)),
        version=version,
        encryption=draw(st.integers(0, 7)),
        packet=draw(st.none() | st.just(total).flatmap(
            lambda t: st.tuples(st.just(t), st.integers(1, t)))),
        protocol_version=draw(st.integers(0, 255)) if version is Version.V2019 else 1,
        reserved=draw(st.booleans()),
    )


bodies = st.binary(max_size=MAX_BODY) | st.lists(st.sampled_from(b"\x7e\x7d\x01\x02"),
                                                 max_size=64).map(bytes)


@FAST
@given(headers(), bodies)
def test_unpack_pack_round_trip(header, body):
    frame = Frame(header, body)
    data = pack(frame)
    # 2011 and 2013 share one header layout (§4.4.3): only an override tells them apart
    override = Version.V2011 if header.version is Version.V2011 else None
    assert unpack(data, override) == frame
    assert pack(unpack(data)) == data
    assert data.count(b"\x7e") == 2


@FAST
@given(st.binary(max_size=2048))
def test_escape_round_trip_and_xor(data):
    escaped = escape(data)
    assert b"\x7e" not in escaped and unescape(escaped) == data
    assert xor_check(data) == functools.reduce(operator.xor, data, 0)


@FAST
@given(st.binary(max_size=600))
def test_framer_never_raises_on_random_bytes(data):
    framer = Framer()
    events = framer.feed_events(data)
    assert all(isinstance(e, (Frame, FrameError)) for e in events)
    assert framer.frames + framer.bad_frames == len(events)


@st.composite
def mutated_streams(draw):
    stream = bytearray(b"".join(draw(st.lists(st.sampled_from([v.data for v in VECTORS]),
                                              min_size=1, max_size=4))))
    for _ in range(draw(st.integers(0, 4))):
        pos = draw(st.integers(0, len(stream) - 1))
        action = draw(st.sampled_from(["flip", "delete", "insert"]))
        byte = draw(st.sampled_from([0x7e, 0x7d, 0x00, 0x02, 0xff]))
        if action == "flip":
            stream[pos] = byte
        elif action == "delete":
            del stream[pos]
        else:
            stream.insert(pos, byte)
    cuts = sorted(draw(st.lists(st.integers(0, len(stream)), max_size=4)))
    return bytes(stream), cuts


@FAST
@given(mutated_streams(), st.sampled_from([None, *Version]))
def test_framer_never_raises_on_mutated_frames(stream_cuts, version):
    stream, cuts = stream_cuts
    framer = Framer(version)
    events = []
    for start, end in zip([0, *cuts], [*cuts, len(stream)]):
        events += framer.feed_events(stream[start:end])
    assert all(isinstance(e, (Frame, FrameError)) for e in events)
    for event in events:
        if isinstance(event, Frame):          # whatever comes out re-packs
            assert unpack(pack(event), version) == event


def _reference_unescape(data: bytes) -> bytes | None:
    """Byte-by-byte §4.4.2 unescaping; None for a 0x7d not followed by 01 or 02."""
    out, i = bytearray(), 0
    while i < len(data):
        if data[i] == 0x7D:
            if data[i + 1:i + 2] not in (b"\x01", b"\x02"):
                return None
            out.append(0x7C + data[i + 1])
            i += 2
        else:
            out.append(data[i])
            i += 1
    return bytes(out)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(b"\x7d\x7e\x01\x02\x00"), max_size=24).map(bytes))
def test_unescape_matches_the_byte_by_byte_reference(data):
    expected = _reference_unescape(data)
    if expected is None:
        try:
            unescape(data)
        except FrameError as exc:
            assert type(exc).__name__ == "EscapeError"
        else:
            raise AssertionError(f"{data.hex()} unescaped without error")
    else:
        assert unescape(data) == expected
