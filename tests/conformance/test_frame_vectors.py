"""Every whole-frame vector (``scope == "frame"``) of smallchi.jsonl through the frame layer.

Source: ``tests/vectors/smallchi.jsonl`` (unit tests of the C# codec SmallChi/JT808);
each test id is the record id. ``frame_ok: true`` records unpack, match the header values
the C# test asserted, and pack back to the identical bytes; ``frame_ok: false`` records
(real-device captures) give the typed error their ``bad_frame_note`` describes.
"""
from __future__ import annotations

import pytest

from jt808.errors import ChecksumError, FrameError, HeaderError
from jt808.frame import Frame, Framer, Header, Version, pack, unpack

from conformance_support import load_smallchi, record_ids

_VERSION_FLAG = 0x4000


def _packet_part(index: int):
    return lambda h, f: h.packet[index] if h.packet else 0


def _phone(h: Header, f: Frame) -> str:
    # The C# codec drops the leading zeros of the BCD phone; ours keeps every digit,
    # so the comparison strips them (an all-zero phone stays "0").
    return h.phone.lstrip("0") or "0"


# C# header property -> how to read it from (our Header, our Frame), and how the C# value
# is normalised for the comparison
_HEADER_FIELDS = {
    "MsgId": lambda h, f: h.msg_id,
    "TerminalPhoneNo": _phone,
    "MsgNum": lambda h, f: h.serial,
    "ManualMsgNum": lambda h, f: h.serial,
    "ProtocolVersion": lambda h, f: h.protocol_version,
    "MessageBodyProperty.VersionFlag": lambda h, f: h.is_2019 if h.version_flag is None
    else h.version_flag,
    "MessageBodyProperty.$ctor": lambda h, f: [h.is_2019],   # ctor(isJT808_2019)
    "MessageBodyProperty.DataLength": lambda h, f: len(f.body),
    "MessageBodyProperty.IsPackage": lambda h, f: h.packet is not None,
    "MessageBodyProperty.Encrypt": lambda h, f: h.encryption,
    "PackgeCount": _packet_part(0),
    "PackageIndex": _packet_part(1),
}
_NORMALISE = {"TerminalPhoneNo": lambda value: value.lstrip("0") or "0"}


# words of bad_frame_note -> the error unpack() must raise
_NOTE_ERRORS = {
    "check byte does not match": ChecksumError,
    "inconsistent header/body": HeaderError,
    "version-flag quirk": HeaderError,
}


def _data(record: dict) -> bytes:
    return bytes.fromhex(record["hex"])


def _needed_override(record: dict) -> Version | None:
    """The record's version, when the header's bit 14 does not already say it."""
    data = _data(record)
    flag_2019 = bool(int.from_bytes(data[3:5], "big") & _VERSION_FLAG)
    version = Version(int(record["version"]))
    if version is Version.V2019 and not flag_2019:
        return version
    if version is not Version.V2019 and flag_2019:
        return version
    return None


def _expected_error(record: dict) -> type[FrameError]:
    matches = [cls for words, cls in _NOTE_ERRORS.items() if words in record["bad_frame_note"]]
    assert matches, f"no error known for note {record['bad_frame_note']!r}"
    return matches[0]


def test_header_keys_are_all_mapped(smallchi_records):
    keys = {key for r in smallchi_records("frame") for key in r.get("header") or {}}
    assert keys <= set(_HEADER_FIELDS), sorted(keys - set(_HEADER_FIELDS))


@pytest.mark.smallchi(scope="frame")
def test_frame_vector(smallchi_record):
    record = smallchi_record
    if record["frame_ok"]:
        _check_good(record)
    else:
        _check_bad(record)


def _check_good(record: dict) -> None:
    data = _data(record)
    override = _needed_override(record)
    frame = unpack(data, override)
    assert frame.msg_id == record["msg_id"]
    for key, expected in (record.get("header") or {}).items():
        expected = _NORMALISE.get(key, lambda value: value)(expected)
        assert _HEADER_FIELDS[key](frame.header, frame) == expected, key
    assert pack(frame) == data
    # The same bytes through the streaming framer, one byte at a time, with junk after.
    framer = Framer(override)
    frames = [f for byte in data + b"\x00\x7e" for f in framer.feed(bytes((byte,)))]
    assert frames == [frame]
    assert (framer.bad_frames, framer.buffered) == (0, 1)


def _check_bad(record: dict) -> None:
    data = _data(record)
    error = _expected_error(record)
    with pytest.raises(error) as caught:
        unpack(data)
    assert str(caught.value)
    # The framer reports the same error as an event and keeps going.
    framer = Framer()
    events = framer.feed_events(data)
    assert [type(e) for e in events] == [error]
    assert (framer.frames, framer.bad_frames) == (0, 1)
    if "version-flag quirk" in record["bad_frame_note"]:
        # Under the version the record names, the frame parses and re-packs byte for byte.
        override = Version(int(record["version"]))
        frame = unpack(data, override)
        assert frame.header.version is override
        assert pack(frame) == data
        assert Framer(override).feed(data) == [frame]


def test_frame_vector_counts(smallchi_records):
    records = smallchi_records("frame")
    good = [r for r in records if r["frame_ok"]]
    assert len(records) >= 150 and len(good) >= 140
    assert isinstance(good[0], dict) and Frame  # the loader gives plain records


# -- header-only records (scope == "header") ----------------------------------------------

HEADER_RECORDS = load_smallchi("header")
#: record id -> why we refuse it, and the field our HeaderError names
_HEADER_DEVIATIONS = {
    f"SmallChi/JT808:JT808HeaderTest.cs::JT808Header_2019Test{n}": (
        "the C# test sets the subpackage bit and leaves packet total and index at 0; "
        "the standard numbers packets from 1, so we refuse index 0 of total 0", "packet")
    for n in (1, 2)
}


@pytest.mark.parametrize("record", HEADER_RECORDS, ids=record_ids(HEADER_RECORDS))
def test_header_vector(record: dict) -> None:
    raw = _data(record)
    if record["id"] in _HEADER_DEVIATIONS:
        with pytest.raises(HeaderError) as caught:
            Header.decode(raw)
        assert caught.value.field == _HEADER_DEVIATIONS[record["id"]][1]
        assert caught.value.msg_id == record["msg_id"]
        return
    header, body_length = Header.decode(raw)
    frame = Frame(header, bytes(body_length))
    for key, expected in record["header"].items():
        if key == "MessageBodyProperty.$ctor":          # here: ctor(dataLength)
            assert [body_length] == expected
            continue
        expected = _NORMALISE.get(key, lambda value: value)(expected)
        assert _HEADER_FIELDS[key](header, frame) == expected, key
    assert header.encode(body_length) == raw


def test_header_records_present():
    assert len(HEADER_RECORDS) == 6
    assert set(_HEADER_DEVIATIONS) <= {r["id"] for r in HEADER_RECORDS}
