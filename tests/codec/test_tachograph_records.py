"""GB/T 19056-2012 0x08 (per-minute speed) and 0x09 (per-hour position) records inside
0x0700: SmallChi's encode and decode records (tests/vectors/smallchi.jsonl) both ways,
hand-made blocks from the appendix A layout (west/south, missing entries, several
blocks), and the unhappy paths (partial block, bad start time, values that do not fit)."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from jt808.codec import (PositionHour, PositionRecords, PositionSample, RecordRange,
                         RecorderDataUpload, RecorderFrame, SpeedMinute, SpeedRecords,
                         SpeedSample, decode_body, encode_body)
from jt808.errors import LocalProtocolError, RemoteProtocolError, TruncatedError
from jt808.frame import Version

SMALLCHI = {r["id"]: r for r in map(json.loads, (
    Path(__file__).parents[1] / "vectors" / "smallchi.jsonl").read_text("utf-8").splitlines())}
UP = "SmallChi/JT808:JT808_0x0700Test.cs::"
DOWN = "SmallChi/JT808:JT808_0x8700Test.cs::"
DAY = dt.datetime(2020, 3, 23)
# One 0x09 minute, hand-made from the layout (appendix A): 122.5 W = -73,500,000 x
# 0.0001' = FB9E7AA0, 33.5 S = -20,100,000 = FECD4C60, altitude -20 m = FFEC, 88 km/h = 58.
WEST_SOUTH = "FB9E7AA0" "FECD4C60" "FFEC" "58"


def _upload(record_id: str) -> RecorderDataUpload:
    return decode_body(0x0700, bytes.fromhex(SMALLCHI[record_id]["hex"]), Version.V2013)


def _frame(record_id: str) -> RecorderFrame:
    upload = _upload(record_id)
    return RecorderFrame.decode(upload.cmd_data, upward=True, cmd_word=upload.cmd_word)


@pytest.mark.parametrize("name", ["Test_Serialize_0x08", "Test_Deserilize_0x08"])
def test_smallchi_speed_records(name):
    record = SMALLCHI[UP + name]
    prefix = "JT808CarDVRUpPackage.Bodies.JT808_CarDVR_Up_0x08_SpeedPerMinutes[0]."
    second = prefix + "JT808_CarDVR_Up_0x08_SpeedPerSeconds[0]."
    assert record["fields"][second + "AvgSpeedAfterStartTime"] == 10
    assert record["fields"][second + "StatusSignalAfterStartTime"] == 20
    frame = _frame(UP + name)
    [minute] = frame.data.minutes
    assert minute.start == DAY
    assert minute.seconds == (SpeedSample(10, 20),) + (None,) * 59
    built = SpeedRecords((SpeedMinute(DAY, (SpeedSample(10, 20),)),))   # padded with FF
    body = encode_body(RecorderDataUpload(1, 0x08, RecorderFrame(0x08, built).encode()),
                       Version.V2013)
    assert body.hex().upper() == record["hex"]


@pytest.mark.parametrize("name", ["Test_Serialize_0x09", "Test_Deserilize_0x09"])
def test_smallchi_position_records(name):
    record = SMALLCHI[UP + name]
    minute = ("JT808CarDVRUpPackage.Bodies.JT808_CarDVR_Up_0x09_PositionPerHours[0]."
              "JT808_CarDVR_Up_0x09_PositionPerMinutes[0].")
    fields = record["fields"]
    [hour] = _frame(UP + name).data.hours
    assert hour.start == DAY
    first = hour.minutes[0]
    assert round(first.longitude * 600_000) == fields[minute + "GpsLng"] == 113656598
    assert round(first.latitude * 600_000) == fields[minute + "GpsLat"] == 23665544
    assert (first.altitude, first.speed) == (fields[minute + "Height"],
                                             fields[minute + "AvgSpeedAfterStartTime"])
    assert hour.minutes[1:] == (None,) * 59
    built = PositionRecords((PositionHour(DAY, (PositionSample(
        113656598 / 600_000, 23665544 / 600_000, 50, 10),)),))
    body = encode_body(RecorderDataUpload(1, 0x09, RecorderFrame(0x09, built).encode()),
                       Version.V2013)
    assert body.hex().upper() == record["hex"]


@pytest.mark.parametrize("name", ["Test_Serilize_0x08", "Test_Deserilize_0x08"])
def test_smallchi_record_request_is_still_a_14_byte_range(name):
    raw = bytes.fromhex(SMALLCHI[DOWN + name]["hex"])
    frame = RecorderFrame.decode(raw[1:], upward=False, cmd_word=raw[0])
    assert frame.data == RecordRange(dt.datetime(2020, 3, 22, 10, 10, 10),
                                     dt.datetime(2020, 3, 23, 10, 10, 10), 1)
    assert frame.encode() == raw[1:]


def test_hand_made_position_west_south_and_gaps_round_trip():
    start = bytes.fromhex("200323100000")
    minutes = [bytes.fromhex(WEST_SOUTH)] + [b"\xff" * 11] * 58 + [bytes.fromhex(WEST_SOUTH)]
    raw = start + b"".join(minutes)
    [hour] = PositionRecords.decode(raw).hours
    sample = PositionSample(-122.5, -33.5, -20, 88)
    assert hour == PositionHour(dt.datetime(2020, 3, 23, 10), (sample,) + (None,) * 58 + (sample,))
    assert PositionRecords((hour,)).encode() == raw


def test_hand_made_speed_blocks_keep_their_order_and_every_second():
    newer = bytes.fromhex("200323100100") + bytes(range(120))     # speeds 0,2,4.. status 1,3..
    older = bytes.fromhex("200323100000") + b"\xff\xff" * 59 + bytes.fromhex("7800")
    records = SpeedRecords.decode(newer + older)
    assert [m.start.minute for m in records.minutes] == [1, 0]
    assert records.minutes[0].seconds[3] == SpeedSample(6, 7)
    assert records.minutes[1].seconds == (None,) * 59 + (SpeedSample(120, 0),)
    assert records.encode() == newer + older


def test_no_record_in_range_is_empty_data():
    frame = RecorderFrame.decode(bytes.fromhex("557A0800000027"), upward=True)
    assert frame.data == SpeedRecords(())
    assert RecorderFrame(0x08, SpeedRecords()).encode() == bytes.fromhex("557A0800000027")


@pytest.mark.parametrize("word, size, cut", [(0x08, 126, 1), (0x08, 126, 125),
                                             (0x09, 666, 11), (0x09, 666, 665)])
def test_a_partial_trailing_block_is_a_truncated_error_at_its_offset(word, size, cut):
    block = SpeedMinute(DAY).encode() if word == 0x08 else PositionHour(DAY).encode()
    decode = SpeedRecords.decode if word == 0x08 else PositionRecords.decode
    with pytest.raises(TruncatedError) as info:
        decode(block * 2 + block[:cut])
    assert info.value.offset == 2 * size and info.value.field == "cmd_data"
    data = block + block[:cut]
    raw = bytes((0x55, 0x7A, word)) + len(data).to_bytes(2, "big") + b"\x00" + data
    check = 0
    for byte in raw:
        check ^= byte
    with pytest.raises(TruncatedError):
        RecorderFrame.decode(raw + bytes((check,)), upward=True)


@pytest.mark.parametrize("raw", [
    "20032310A000" + "FFFF" * 60,                # hex digit in the BCD start minute
    "201399100000" + "FFFF" * 60,                # month 99
])
def test_bad_speed_blocks_are_typed_errors(raw):
    with pytest.raises(RemoteProtocolError):
        SpeedRecords.decode(bytes.fromhex(raw))


@pytest.mark.parametrize("block", [
    SpeedMinute(DAY, (None,) * 61),
    SpeedMinute(DAY, (SpeedSample(256, 0),)),
    SpeedMinute(DAY, (SpeedSample(10, -1),)),
    PositionHour(DAY, (PositionSample(4000.0, 0.0),)),      # 2.4e9 units: not an i32
    PositionHour(DAY, (PositionSample(0.0, 0.0, 40_000, 0),)),
    PositionHour(DAY, (PositionSample(0.0, 0.0, 0, 300),)),
    PositionHour(dt.datetime(1999, 1, 1)),
])
def test_encode_refuses_what_does_not_fit(block):
    with pytest.raises(LocalProtocolError):
        block.encode()
