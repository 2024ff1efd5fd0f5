"""Packer: split marks, M bit, sequence and intervals (JT/T 1078-2016 table 19)."""
from __future__ import annotations

import pytest

from jt808.errors import LocalProtocolError
from jt808.jt1078 import DataType, Packer, SplitMark, decode_packet


def test_a_2000_byte_frame_becomes_first_middle_last_with_m_on_the_last():
    packer = Packer("13800138000")
    packets = [decode_packet(w) for w in packer.pack(1, DataType.I_FRAME, bytes(2000), 40)]
    assert [p.split for p in packets] == [SplitMark.FIRST, SplitMark.MIDDLE, SplitMark.LAST]
    assert [len(p.body) for p in packets] == [950, 950, 100]
    assert [p.marker for p in packets] == [False, False, True]
    assert [p.sequence for p in packets] == [0, 1, 2]
    assert {p.sim for p in packets} == {"013800138000"}


def test_a_small_frame_is_one_atomic_packet_with_m_set():
    (wire,) = Packer("13800138000").pack(1, DataType.P_FRAME, b"\x00\x00\x00\x01\x41")
    packet = decode_packet(wire)
    assert packet.split == SplitMark.ATOMIC and packet.marker and wire[5] == 0x80 | 98


def test_intervals_count_from_the_last_i_frame_and_the_last_frame():
    packer = Packer("13800138000")
    stamps = [(DataType.I_FRAME, 1000), (DataType.P_FRAME, 1066), (DataType.P_FRAME, 1133),
              (DataType.I_FRAME, 1200), (DataType.P_FRAME, 1266)]
    got = []
    for kind, ts in stamps:
        p = decode_packet(packer.pack(1, kind, b"x", ts)[0])
        got.append((p.timestamp, p.last_i_interval, p.last_interval))
    assert got == [(1000, 0, 0), (1066, 66, 66), (1133, 133, 67), (1200, 200, 67),
                   (1266, 66, 66)]


def test_the_sequence_counts_every_packet_and_wraps():
    packer = Packer("13800138000", first_sequence=0xFFFE)
    wires = packer.pack(1, DataType.AUDIO, b"a") + packer.pack(2, DataType.I_FRAME, bytes(1000))
    assert [decode_packet(w).sequence for w in wires] == [0xFFFE, 0xFFFF, 0]


def test_audio_uses_the_audio_payload_type():
    packet = decode_packet(Packer("1", audio_type=7).pack(1, DataType.AUDIO, b"a", 5)[0])
    assert packet.payload_type == 7 and packet.last_i_interval is None


def test_2019_width_pads_the_sim_to_20_digits():
    wire = Packer("13800138000", sim_width=10).pack(1, DataType.I_FRAME, b"x")[0]
    assert wire[8:18].hex() == "00000000013800138000" and len(wire) == 34 + 1


def test_an_empty_frame_is_still_one_packet():
    assert decode_packet(Packer("1").pack(1, DataType.P_FRAME, b"")[0]).body == b""


@pytest.mark.parametrize("kwargs", [{"max_body": 951}, {"max_body": 0}, {"sim_width": 8}])
def test_illegal_settings_are_refused(kwargs):
    with pytest.raises(LocalProtocolError):
        Packer("13800138000", **kwargs)


def test_a_sim_longer_than_the_width_is_refused():
    with pytest.raises(LocalProtocolError):
        Packer("1" * 13)
