"""Hand-made vectors (``_vectors.py``, each citing its clause): whole, byte by byte,
with trailing bytes, and both ways."""
from __future__ import annotations

import functools
import operator

import pytest

from jt808.frame import Frame, Framer, pack, unpack, xor_check

from ._vectors import VECTORS

vectors = pytest.mark.parametrize("vector", VECTORS, ids=[v.name for v in VECTORS])


@vectors
def test_unpack_gives_header_and_body(vector):
    frame = unpack(vector.data)
    assert frame == Frame(vector.header, vector.body)
    assert frame.msg_id == vector.header.msg_id


@vectors
def test_pack_gives_the_bytes(vector):
    assert pack(Frame(vector.header, vector.body)) == vector.data


@vectors
def test_unpack_then_pack_is_identical(vector):
    assert pack(unpack(vector.data)) == vector.data


@vectors
def test_check_code_is_xor_of_header_and_body(vector):
    content = vector.header.encode(len(vector.body)) + vector.body
    naive = functools.reduce(operator.xor, content, 0)
    assert xor_check(content) == naive
    assert pack(Frame(vector.header, vector.body)).endswith(
        {0x7E: b"\x7d\x02\x7e", 0x7D: b"\x7d\x01\x7e"}.get(naive, bytes((naive, 0x7E))))


@vectors
def test_framer_one_byte_at_a_time(vector):
    framer = Framer()
    out = []
    for index, byte in enumerate(vector.data):
        got = framer.feed(bytes((byte,)))
        assert got == [] or index == len(vector.data) - 1
        out += got
    assert out == [Frame(vector.header, vector.body)]
    assert (framer.frames, framer.bad_frames, framer.junk_bytes, framer.buffered) == (1, 0, 0, 0)


@vectors
def test_framer_with_trailing_bytes(vector):
    framer = Framer()
    assert framer.feed(vector.data + b"\x01\x02\x7e\x00") == [Frame(vector.header, vector.body)]
    # the bytes after the frame up to the next flag are junk; that flag opens a frame
    assert (framer.junk_bytes, framer.buffered) == (2, 2)


@vectors
def test_unpack_rejects_trailing_bytes(vector):
    with pytest.raises(Exception) as caught:
        unpack(vector.data + b"\x00")
    assert type(caught.value).__name__ == "FrameError"
