"""Fuzz the frame layer: ``Framer().feed_events`` never raises; ``unpack`` raises only
``JT808Error`` subclasses."""
from __future__ import annotations

from fuzz_support import mutate, mutations
from hypothesis import given, settings
from hypothesis import strategies as st
from wire import hostile_frames

from jt808.errors import FrameError, JT808Error
from jt808.frame import MAX_ESCAPED_FRAME, Frame, Framer, Version, unpack

FUZZ = settings(max_examples=300, deadline=None)
streams = st.lists(hostile_frames(False, {}) | hostile_frames(True, {})
                   | st.binary(max_size=60), max_size=8)


def _chunks(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts} | {0, len(data)})
    return [data[a:b] for a, b in zip(points, points[1:])]


@FUZZ
@given(parts=streams, ops=st.none() | mutations, cuts=st.lists(st.integers(0, 10_000)),
       version=st.sampled_from([None, *Version]))
def test_framer_feed_events_never_raises(parts, ops, cuts, version):
    data = b"".join(parts)
    if ops:
        data = mutate(data, ops)
    framer = Framer(version)
    for chunk in _chunks(data, cuts):
        for item in framer.feed_events(chunk):
            assert isinstance(item, (Frame, FrameError))
        assert framer.buffered <= MAX_ESCAPED_FRAME
    assert len(framer.errors) <= 32


@FUZZ
@given(data=st.binary(max_size=300))
def test_framer_random_bytes(data):
    framer = Framer()
    framer.feed_events(data)
    framer.feed_events(b"\x7e" + data + b"\x7e")
    assert framer.buffered <= MAX_ESCAPED_FRAME


@settings(max_examples=20, deadline=None)
@given(fill=st.sampled_from([b"\x00", b"\x7d", b"\x7d\x02", b"\x7e\x00"]),
       size=st.integers(MAX_ESCAPED_FRAME - 4, MAX_ESCAPED_FRAME + 8))
def test_framer_bounds_long_frames(fill, size):
    framer = Framer()
    framer.feed_events(b"\x7e" + (fill * size)[:size])
    assert framer.buffered <= MAX_ESCAPED_FRAME + len(fill)


@FUZZ
@given(frame=hostile_frames(False, {}) | hostile_frames(True, {}), ops=st.none() | mutations,
       version=st.sampled_from([None, *Version]))
def test_unpack_raises_only_library_errors(frame, ops, version):
    data = mutate(frame, ops) if ops else frame
    try:
        unpack(data, version) if version is not None else unpack(data)
    except JT808Error:
        pass


@FUZZ
@given(data=st.binary(max_size=200))
def test_unpack_random_bytes(data):
    for candidate in (data, b"\x7e" + data + b"\x7e"):
        try:
            unpack(candidate)
        except JT808Error:
            pass


@FUZZ
@given(parts=streams, ops=st.none() | mutations, strict=st.booleans(),
       lenient_check=st.booleans())
def test_framer_options_never_raise(parts, ops, strict, lenient_check):
    """issue 11: the strict and lenient-check framers are as robust as the default."""
    data = b"".join(parts)
    if ops:
        data = mutate(data, ops)
    framer = Framer(strict=strict, lenient_check=lenient_check)
    for item in framer.feed_events(data):
        assert isinstance(item, (Frame, FrameError))


@FUZZ
@given(frame=hostile_frames(False, {}) | hostile_frames(True, {}), ops=st.none() | mutations)
def test_tolerant_unpack_is_stable(frame, ops):
    """A frame the tolerant reader (phone with hex nibbles; any check code with
    unpack_lenient) accepts packs back to a frame that reads the same."""
    from jt808.frame import pack, unpack_lenient
    data = mutate(frame, ops) if ops else frame
    try:
        got, _ = unpack_lenient(data)
    except JT808Error:
        return
    assert unpack(pack(got), got.header.version) == got
