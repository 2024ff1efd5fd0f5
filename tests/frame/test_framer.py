"""The streaming Framer: junk, bad frames, splits at every byte, shared flags, bounded memory."""
from __future__ import annotations

import pytest

from jt808.errors import ChecksumError, EscapeError, FrameTooLongError, HeaderError
from jt808.frame import MAX_ESCAPED_FRAME, Frame, Framer, unpack

from ._vectors import VECTORS

GOOD = [v.data for v in VECTORS]               # hand-made vectors citing their clauses
FRAMES = [unpack(d) for d in GOOD]
A, B = GOOD[0], GOOD[4]                        # heartbeat-2013, escape-example
BAD_CHECK = A[:-2] + b"\x00\x7e"               # heartbeat with a wrong check code


def test_junk_before_between_and_after_is_counted():
    framer = Framer()
    frames = framer.feed(b"\x01\x02\x03" + A + b"\xff\xfe" + B + b"\x55")
    assert frames == [FRAMES[0], FRAMES[4]]
    assert (framer.junk_bytes, framer.frames, framer.bad_frames, framer.buffered) == (6, 2, 0, 0)


def test_bad_frame_in_the_middle_costs_only_itself():
    framer = Framer()
    events = framer.feed_events(A + BAD_CHECK + B)
    assert [type(e) for e in events] == [Frame, ChecksumError, Frame]
    assert (framer.frames, framer.bad_frames) == (2, 1)
    assert list(framer.errors) == [events[1]]


@pytest.mark.parametrize("bad, error", [
    (b"\x7e\x00\x7d\x03\x7e", EscapeError),
    (b"\x7e\x00\x02\x02\x7e", HeaderError),        # check ok, no room for a header
    (BAD_CHECK, ChecksumError),
])
def test_each_kind_of_bad_frame_is_an_event_not_an_exception(bad, error):
    framer = Framer()
    assert framer.feed(A + bad + B) == [FRAMES[0], FRAMES[4]]
    assert [type(e) for e in framer.errors] == [error]


def test_a_frame_whose_end_was_lost_does_not_take_the_next_frame_with_it():
    # "7e <half a frame>" then a whole frame: the half frame's "closing" flag opens the next one
    framer = Framer()
    events = framer.feed_events(A[:6] + B)
    assert [type(e) for e in events] == [ChecksumError, Frame]


def test_every_split_position_of_a_stream():
    stream = b"\x00" + A + B + BAD_CHECK + GOOD[3] + b"\x11"
    whole = Framer()
    expected = whole.feed_events(stream)
    for cut in range(len(stream) + 1):
        framer = Framer()
        got = framer.feed_events(stream[:cut]) + framer.feed_events(stream[cut:])
        assert [repr(e) for e in got] == [repr(e) for e in expected], cut
        assert (framer.junk_bytes, framer.frames, framer.bad_frames) == \
            (whole.junk_bytes, whole.frames, whole.bad_frames)


def test_every_vector_split_in_three_at_every_pair_of_positions():
    data = VECTORS[4].data                      # escape-example: splits inside 7d pairs
    for i in range(len(data) + 1):
        for j in range(i, len(data) + 1):
            framer = Framer()
            got = framer.feed(data[:i]) + framer.feed(data[i:j]) + framer.feed(data[j:])
            assert got == [FRAMES[4]], (i, j)


def test_shared_flags_7e7e_between_frames():
    framer = Framer()
    assert framer.feed(A + B + A) == [FRAMES[0], FRAMES[4], FRAMES[0]]   # ...7e 7e...
    assert framer.feed(b"\x7e\x7e\x7e" + A) == [FRAMES[0]]               # runs of flags
    assert (framer.junk_bytes, framer.bad_frames) == (0, 0)


def test_empty_feed_and_flag_only_input():
    framer = Framer()
    assert framer.feed(b"") == [] and framer.feed(b"\x7e") == []
    assert framer.buffered == 1
    assert framer.feed(A[1:]) == [FRAMES[0]]


def test_over_long_input_is_dropped_without_buffering_it():
    framer = Framer()
    framer.feed(b"\x7e")                        # an opening flag, then 1 MB without a flag
    chunk = b"\x01" * 4096
    for _ in range(256):
        assert framer.feed(chunk) == []
        assert framer.buffered <= MAX_ESCAPED_FRAME
    assert framer.bad_frames == 1 and type(framer.errors[0]) is FrameTooLongError
    assert framer.feed(A) == [FRAMES[0]]        # and it recovers at the next flag


def test_junk_without_flags_is_not_buffered():
    framer = Framer()
    for _ in range(64):
        framer.feed(b"\x00" * 16384)
        assert framer.buffered == 0
    assert framer.junk_bytes == 64 * 16384


def test_over_long_frame_with_both_flags_in_one_chunk():
    framer = Framer(max_frame=64)
    events = framer.feed_events(b"\x7e" + b"\x01" * 100 + A)
    assert [type(e) for e in events] == [FrameTooLongError, Frame]


def test_over_long_frame_one_byte_at_a_time():
    framer = Framer(max_frame=64)
    events = []
    for byte in b"\x7e" + b"\x01" * 200 + A:
        events += framer.feed_events(bytes((byte,)))
        assert framer.buffered <= 65
    assert [type(e) for e in events] == [FrameTooLongError, Frame]


def test_error_history_is_bounded():
    framer = Framer(error_history=3)
    framer.feed(BAD_CHECK * 10)
    assert framer.bad_frames == 10 and len(framer.errors) == 3


def test_feed_returns_only_frames():
    framer = Framer()
    assert framer.feed(BAD_CHECK + A) == [FRAMES[0]]
