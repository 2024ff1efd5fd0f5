"""GB/T 19056-2012 recorder frames inside 0x8700/0x8701/0x0700: byte-exact round trip of
the 27 SmallChi decode records (tests/vectors/tachograph.jsonl, each with its source)
and their values; hand-made unhappy paths."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from jt808.codec import (COLLECT_ERROR, DriverLicence, PulseCoefficient, RecordRange,
                         RecorderFrame, RecorderMileage, RecorderTime, RecorderVersion,
                         VehicleInfo)
from jt808.errors import LocalProtocolError, RemoteProtocolError, TruncatedError

VECTORS = [json.loads(line) for line in
           (Path(__file__).parents[1] / "vectors" / "tachograph.jsonl").read_text("utf-8").splitlines()]
T1 = dt.datetime(2020, 3, 23, 10, 10, 10)
T0 = dt.datetime(2020, 3, 22, 10, 10, 10)


def _frame_of(record) -> tuple[bytes, bool, int]:
    """The recorder frame in the body: 0x0700 reply serial WORD + word BYTE, 0x8700/0x8701
    word BYTE."""
    body = bytes.fromhex(record["hex"])
    if record["msg_id_hex"] == "0x0700":
        return body[3:], True, body[2]
    return body[1:], False, body[0]


@pytest.mark.parametrize("record", VECTORS, ids=lambda r: r["id"].split(":", 1)[1])
def test_smallchi_frames_round_trip_byte_exact(record):
    raw, upward, word = _frame_of(record)
    frame = RecorderFrame.decode(raw, upward=upward, cmd_word=word)
    assert frame.encode() == raw
    assert frame.error is not None or frame.cmd_word == word


def _by_name(name: str, msg: str = "0x0700"):
    [record] = [r for r in VECTORS if r["msg_id_hex"] == msg and r["id"].endswith("::" + name)]
    raw, upward, word = _frame_of(record)
    return RecorderFrame.decode(raw, upward=upward, cmd_word=word).data, record["fields"]


def test_smallchi_values():
    data, fields = _by_name("Test_Deserilize_0x00")
    assert data == RecorderVersion("19", 1)
    assert fields["JT808CarDVRUpPackage.Bodies.StandardYear"] == "19"
    assert _by_name("Test_Deserilize_0x01")[0] == DriverLicence("430223199007126687")
    assert _by_name("Test_Deserilize_0x02")[0] == RecorderTime(T1)
    assert _by_name("Test_Deserilize_0x03")[0] == RecorderMileage(T0, T1, 1000, 5000)
    assert _by_name("Test_Deserilize_0x04")[0] == PulseCoefficient(T1, 50)
    assert _by_name("Test_Deserilize_0x05")[0] == VehicleInfo("12345678912345678", "粤B12345",
                                                               "重型货车")
    assert _by_name("Test_Deserilize_0x08", "0x8700")[0] == RecordRange(T0, T1, 1)
    assert _by_name("Test_Deserilize_0x82", "0x8701")[0] == VehicleInfo(
        "12345678912345678", "粤B12345", "重型货车")
    assert _by_name("Test_Deserilize_0xC3", "0x8701")[0] == PulseCoefficient(T1, 50)
    assert _by_name("Test_Deserilize_0xC4", "0x8701")[0] == RecorderMileage(T1, T0, 1000, 5000)


def test_error_frame():
    data, fields = _by_name("Test_Deserilize_Error")
    assert fields["JT808CarDVRUpPackage.ErrorFlag"] is True
    frame = RecorderFrame.decode(bytes.fromhex("557AFA00D5"), upward=True, cmd_word=0xFA)
    assert frame.error == COLLECT_ERROR
    assert RecorderFrame(0x08, error=COLLECT_ERROR).encode() == bytes.fromhex("557AFA00D5")


@pytest.mark.parametrize("raw, error", [
    ("557A000002001901", RemoteProtocolError),        # check byte wrong (0x01 for 0x35)
    ("55", TruncatedError),
    ("AA75000000002F", RemoteProtocolError),          # not 55 7A
    ("557A00000500190134", RemoteProtocolError),      # length 5, 2 data bytes
])
def test_bad_frames_are_typed_errors(raw, error):
    with pytest.raises(error):
        RecorderFrame.decode(bytes.fromhex(raw), upward=True)


def test_encode_refuses_what_does_not_fit():
    with pytest.raises(LocalProtocolError):
        RecorderFrame(0x01, DriverLicence("1" * 19)).encode()
    with pytest.raises(LocalProtocolError):
        RecorderFrame(0x02, RecorderTime(dt.datetime(1999, 1, 1))).encode()
