"""Property tests: pack -> depack for any frame sizes, any chunking, loss and reordering."""
from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from jt808.jt1078 import DataType, Depacker, Packer

KINDS = st.sampled_from([DataType.I_FRAME, DataType.P_FRAME, DataType.AUDIO,
                         DataType.PASS_THROUGH])
FRAMES = st.lists(st.tuples(KINDS, st.integers(0, 4000), st.integers(1, 3)), max_size=12)


def _frames(spec, seed):
    rng = random.Random(seed)
    return [(kind, rng.randbytes(size), channel) for kind, size, channel in spec]


def _packets(frames, width, first_sequence):
    packer = Packer("13800138000", sim_width=width, first_sequence=first_sequence)
    return [[w for w in packer.pack(ch, kind, payload, i * 40)]
            for i, (kind, payload, ch) in enumerate(frames)]


@settings(max_examples=60, deadline=None)
@given(FRAMES, st.integers(0, 2**32), st.sampled_from([6, 10]), st.integers(0, 0xFFFF),
       st.lists(st.integers(1, 3000), min_size=1, max_size=20))
def test_any_chunking_of_a_tcp_stream_gives_every_frame_back(spec, seed, width, seq, cuts):
    frames = _frames(spec, seed)
    stream = b"".join(w for group in _packets(frames, width, seq) for w in group)
    depacker = Depacker()
    out, pos, i = [], 0, 0
    while pos < len(stream):
        step = cuts[i % len(cuts)]
        out += depacker.feed(stream[pos:pos + step])
        pos, i = pos + step, i + 1
    out += depacker.flush()
    assert [(f.data_type, f.payload, f.channel) for f in out] == frames
    assert depacker.stats.lost_packets == 0 and depacker.stats.junk_bytes == 0


@settings(max_examples=60, deadline=None)
@given(FRAMES, st.integers(0, 2**32), st.integers(0, 0xFFFF), st.data())
def test_udp_loss_and_reordering_lose_only_the_broken_frames(spec, seed, seq, data):
    frames = _frames(spec, seed)
    groups = _packets(frames, 6, seq)
    flat = [(index, w) for index, group in enumerate(groups) for w in group]
    lost = data.draw(st.sets(st.integers(0, len(flat) - 1), max_size=4)) if flat else set()
    kept = [item for i, item in enumerate(flat) if i not in lost]
    window = 8
    # reorder: each packet moves at most window/2 places (a local shuffle)
    keys = [i + data.draw(st.integers(0, window // 2)) for i in range(len(kept))]
    arrived = [item for _key, item in sorted(zip(keys, kept), key=lambda t: t[0])]
    depacker = Depacker(reorder_window=window)
    out = [f for _i, w in arrived for f in depacker.feed_datagram(w)] + depacker.flush()
    broken = {flat[i][0] for i in lost}
    expected = [frames[i] for i in range(len(frames)) if i not in broken]
    # every frame whose packets all arrived comes out, whole and in order; no broken one
    assert [(f.data_type, f.payload, f.channel) for f in out] == expected
    assert depacker.stats.lost_packets <= len(lost)
    assert depacker.stats.packets == len(kept) and depacker.stats.late_packets == 0


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(max_size=300), max_size=30), st.booleans())
def test_any_bytes_give_frames_or_nothing_never_an_exception(chunks, datagrams):
    """Hostile input: random bytes, with the magic sprinkled in, never raise and never
    grow the buffer past one packet."""
    depacker = Depacker(reorder_window=8 if datagrams else 0)
    for chunk in chunks:
        chunk = chunk.replace(b"\x00\x00", b"\x30\x31\x63\x64")
        (depacker.feed_datagram if datagrams else depacker.feed)(chunk)
        assert len(depacker._buf) <= 34 + 0xFFFF
    depacker.flush()


def _bodies():
    import json
    from pathlib import Path
    path = Path(__file__).resolve().parents[1] / "vectors" / "jt1078.jsonl"
    records = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [(r["msg_id"], bytes.fromhex(r["hex"])) for r in records if r["scope"] == "body"]


BODIES = _bodies()


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(BODIES), st.integers(0, 200), st.integers(0, 255), st.booleans(),
       st.binary(max_size=8))
def test_mutated_1078_bodies_decode_or_raise_a_jt808_error(seed, pos, value, cut, tail):
    """Fuzz: a 1078 body with a byte changed, cut or extended gives a message that
    re-encodes, or a JT808Error; never IndexError, ValueError, struct.error."""
    from jt808.codec import decode_body, encode_body
    from jt808.errors import JT808Error
    msg_id, body = seed
    data = bytearray(body)
    if data:
        data[pos % len(data)] = value
    data = data[:pos % (len(data) + 1)] if cut else data + tail
    try:
        message = decode_body(msg_id, bytes(data))
    except JT808Error:
        return
    try:
        encode_body(message)
    except JT808Error:
        pass
