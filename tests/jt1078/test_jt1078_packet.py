"""JT/T 1078-2016 table 19 media packet layout, byte by byte."""
from __future__ import annotations

import pytest

from jt808.errors import LocalProtocolError, RemoteProtocolError
from jt808.jt1078 import (DataType, MediaPacket, MediaPacketError, SplitMark, decode_packet,
                          header_length)

# SmallChi/JT1078Gateway src/JT1078.Gateway.Tests/JT1078.Gateway.Test/PipeTest.cs::Test1_2:
# a real I-frame packet header with body length 0; the test asserts SIM "1901305037",
# data type I-frame and body length 0.
GATEWAY_EMPTY_I = bytes.fromhex("303163648162000000190130503701010000016f95973f84000000000000")
# Same file, ::Test1: the first 30 bytes of a packet that declares a 950-byte body.
GATEWAY_HEADER_950 = bytes.fromhex("303163648162000000190130503701010000016f95973f840000000003b6")


def test_header_lengths_follow_table_19():
    """30 bytes for video, 26 for audio, 18 for pass-through with BCD[6]; +4 with BCD[10]."""
    assert [header_length(t) for t in DataType] == [30, 30, 30, 26, 18]
    assert [header_length(t, 10) for t in DataType] == [34, 34, 34, 30, 22]


def test_gateway_packet_decodes_and_reencodes_identically():
    packet = decode_packet(GATEWAY_EMPTY_I)
    assert packet.sim == "001901305037"
    assert packet.data_type == DataType.I_FRAME and packet.split == SplitMark.FIRST
    assert packet.payload_type == 98 and not packet.marker and packet.sequence == 0
    assert packet.channel == 1 and packet.timestamp == 0x16F95973F84
    assert packet.last_i_interval == 0 and packet.last_interval == 0 and packet.body == b""
    assert packet.encode() == GATEWAY_EMPTY_I


def test_a_header_promising_950_bytes_is_not_a_whole_packet():
    with pytest.raises(MediaPacketError):
        decode_packet(GATEWAY_HEADER_950)


def _audio(sim="013800138000", body=b"\xd5" * 4):
    return MediaPacket(sequence=0x1234, sim=sim, channel=2, data_type=DataType.AUDIO,
                       split=SplitMark.ATOMIC, payload_type=6, body=body, timestamp=0x0102,
                       marker=True)


def test_audio_packet_has_a_timestamp_and_no_intervals():
    wire = _audio().encode()
    assert wire == bytes.fromhex("30316364 81 86 1234 013800138000 02 30 0000000000000102"
                                 "0004 d5d5d5d5")
    assert decode_packet(wire) == _audio()


def test_pass_through_packet_has_neither_timestamp_nor_intervals():
    packet = MediaPacket(sequence=1, sim="013800138000", channel=1,
                         data_type=DataType.PASS_THROUGH, split=SplitMark.ATOMIC,
                         payload_type=0, body=b"ab")
    wire = packet.encode()
    assert len(wire) == 18 + 2 and wire[15] == 0x40 and wire[16:18] == b"\x00\x02"
    assert decode_packet(wire) == packet


def test_2019_sim_width_is_found_from_the_body_length():
    packet = _audio(sim="00000000013800138000")
    wire = packet.encode()
    assert len(wire) == 30 + 4
    assert decode_packet(wire) == packet


def test_bytes_after_the_declared_body_are_cut_off():
    assert decode_packet(_audio().encode() + b"tail").body == b"\xd5" * 4


@pytest.mark.parametrize("bad", [b"", b"\x30\x31\x63", b"XXXX" + GATEWAY_EMPTY_I[4:],
                                 GATEWAY_EMPTY_I[:15] + b"\x51" + GATEWAY_EMPTY_I[16:],
                                 GATEWAY_EMPTY_I[:20]])
def test_unusable_bytes_raise_a_remote_protocol_error(bad):
    with pytest.raises(RemoteProtocolError):
        decode_packet(bad)


@pytest.mark.parametrize("sim", ["1380013800", "12345678901234567890123", "01380013800x"])
def test_sending_a_sim_that_fits_neither_width_is_refused(sim):
    with pytest.raises(LocalProtocolError):
        _audio(sim=sim).encode()
