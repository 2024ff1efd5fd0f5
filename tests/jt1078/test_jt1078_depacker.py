"""Depacker: whole frames out of any chunking, junk skipped, loss counted, bounded."""
from __future__ import annotations

import os

from jt808.jt1078 import DataType, Depacker, Packer, decode_packet

FRAME = bytes(range(256)) * 10       # 2560 bytes: first, middle, last


def _wire(packer, frames):
    return [w for kind, payload, ts in frames for w in packer.pack(1, kind, payload, ts)]


def test_one_byte_at_a_time_gives_the_same_frames():
    wires = _wire(Packer("13800138000"), [(DataType.I_FRAME, FRAME, 0),
                                          (DataType.AUDIO, b"\xd5" * 160, 20),
                                          (DataType.P_FRAME, b"p" * 10, 66)])
    depacker = Depacker()
    frames = [f for byte in b"".join(wires) for f in depacker.feed(bytes((byte,)))]
    frames += depacker.flush()
    assert [(f.data_type, f.payload, f.timestamp) for f in frames] == [
        (DataType.I_FRAME, FRAME, 0), (DataType.AUDIO, b"\xd5" * 160, 20),
        (DataType.P_FRAME, b"p" * 10, 66)]
    assert depacker.stats.packets == 5 and depacker.stats.lost_packets == 0


def test_junk_before_and_between_packets_is_skipped_and_counted():
    wires = _wire(Packer("13800138000"), [(DataType.I_FRAME, FRAME, 0),
                                          (DataType.P_FRAME, b"p", 1)])
    junk = b"\x30\x31\x63GARBAGE\x30\x31"
    stream = junk + b"".join(wires[:3]) + b"zz" + wires[3]
    depacker = Depacker()
    frames = depacker.feed(stream)
    assert [f.payload for f in frames] == [FRAME, b"p"]
    assert depacker.stats.junk_bytes == len(junk) + 2


def test_a_fake_magic_inside_junk_does_not_swallow_the_next_packet():
    wire = Packer("1").pack(1, DataType.P_FRAME, b"ok")[0]
    fake = b"\x30\x31\x63\x64\x81\x62\x00"        # a magic with a header that never ends
    depacker = Depacker()
    assert [f.payload for f in depacker.feed(fake + wire + wire)] == [b"ok", b"ok"]
    assert depacker.stats.bad_packets >= 1


def test_a_lost_middle_packet_drops_that_frame_only_and_counts_the_loss():
    wires = _wire(Packer("13800138000"), [(DataType.I_FRAME, FRAME, 0),
                                          (DataType.P_FRAME, b"p", 66)])
    depacker = Depacker()
    frames = [f for i, w in enumerate(wires) if i != 1 for f in depacker.feed_datagram(w)]
    assert [f.payload for f in frames] == [b"p"]
    assert depacker.stats.lost_packets == 1 and depacker.stats.frames_dropped == 1


def test_the_m_bit_is_not_needed_to_end_a_frame():
    wires = Packer("1").pack(1, DataType.I_FRAME, FRAME)
    unmarked = [w[:5] + bytes((w[5] & 0x7F,)) + w[6:] for w in wires]
    assert [f.payload for f in Depacker().feed(b"".join(unmarked))] == [FRAME]


def test_2019_width_stream_is_read_with_bcd10():
    wires = Packer("13800138000", sim_width=10).pack(3, DataType.I_FRAME, FRAME, 7)
    depacker = Depacker()
    (frame,) = depacker.feed(b"".join(wires))
    assert frame.sim == "00000000013800138000" and frame.payload == FRAME
    assert depacker.sim_width == 10


def test_reordered_datagrams_within_the_window_still_make_whole_frames():
    wires = _wire(Packer("1"), [(DataType.I_FRAME, FRAME, 0), (DataType.P_FRAME, b"p", 1)])
    order = [1, 0, 3, 2]
    depacker = Depacker(reorder_window=4)
    frames = [f for i in order for f in depacker.feed_datagram(wires[i])] + depacker.flush()
    assert [f.payload for f in frames] == [FRAME, b"p"]
    assert depacker.stats.lost_packets == 0


def test_a_duplicate_datagram_is_counted_late_and_ignored():
    wires = _wire(Packer("1"), [(DataType.P_FRAME, b"a", 0), (DataType.P_FRAME, b"b", 1)])
    depacker = Depacker(reorder_window=4)
    got = [f.payload for w in (wires[0], wires[0], wires[1]) for f in depacker.feed_datagram(w)]
    got += [f.payload for f in depacker.flush()]
    assert got == [b"a", b"b"] and depacker.stats.late_packets == 1


def test_a_frame_larger_than_max_frame_is_dropped_not_held():
    wires = Packer("1").pack(1, DataType.I_FRAME, os.urandom(20000))
    depacker = Depacker(max_frame=5000)
    assert depacker.feed(b"".join(wires)) == []
    assert depacker.stats.frames_dropped == 1 and not depacker._partials


def test_a_stream_of_junk_keeps_only_three_bytes():
    depacker = Depacker()
    for _ in range(100):
        depacker.feed(os.urandom(1000).replace(b"\x30\x31\x63\x64", b""))
    assert len(depacker._buf) <= 3 + 34 + 0xFFFF


def test_a_truncated_datagram_is_junk_not_an_exception():
    wire = Packer("1").pack(1, DataType.P_FRAME, b"abcdef")[0]
    depacker = Depacker()
    assert depacker.feed_datagram(wire[:-2]) == []
    assert depacker.stats.junk_bytes == len(wire) - 2


def test_two_packets_in_one_datagram_are_both_read():
    wires = Packer("1").pack(1, DataType.AUDIO, b"a") + Packer("1").pack(1, DataType.AUDIO, b"b")
    assert decode_packet(wires[0]).body == b"a"
    assert [f.payload for f in Depacker().feed_datagram(wires[0] + wires[1])] == [b"a", b"b"]
