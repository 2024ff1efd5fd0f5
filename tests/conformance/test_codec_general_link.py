"""Conformance of the general and link messages (``codec._general``, ``codec._link``).

Source: ``tests/vectors/smallchi.jsonl`` (unit tests of the C# codec SmallChi/JT808),
every record of 0x0001, 0x8001, 0x0002, 0x0003, 0x0100, 0x8100, 0x0102, 0x8003, 0x0005,
0x8004, 0x8800, 0x8A00 and 0x0A00 whose scope is a body or a whole frame (the ``header``
records of 0x0102 are the frame layer's, in ``test_frame_vectors``); each test id is the
record id. Every record is decoded in its version and compared field by field through
``FIELDS`` (C# name -> our value), re-encoded byte for byte, and fed again with two
trailing bytes: with ``strict=True`` an error naming the message and the offset, by
default (issue 11) the same message with the bytes in ``.trailing``, the quirk named and
the body re-encoded with them; where the last field runs to the end of the body, that
field keeps them in both modes. ``encode`` records are also
built from their fields and must encode to the asserted bytes. ``DEVIATIONS`` lists
the records where we and SmallChi part ways, with the reason, the strict error and what
the tolerant default does instead.
0x0004 and 0x8204 (empty bodies, 2019) have no SmallChi record: ``tests/codec`` covers
them by hand.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable

import pytest

from jt808.codec import (MediaUploadResponse, PlatformGeneralResponse, PlatformRsaKey,
                         ResendRequest, ServerTimeResponse, TerminalAuth,
                         TerminalGeneralResponse, TerminalRegister, TerminalRegisterResponse,
                         TerminalResendRequest, TerminalRsaKey, decode_body, encode_body)
from jt808.codec import Heartbeat, TerminalLogout
from jt808.errors import RemoteProtocolError, TruncatedError
from jt808.frame import Version, unpack

from conformance_support import record_ids, standard_records

MSG_IDS = {0x0001, 0x8001, 0x0002, 0x0003, 0x0100, 0x8100, 0x0102, 0x8003, 0x0005,
           0x8004, 0x8800, 0x8A00, 0x0A00}
#: bodies and whole frames; frames that fail the frame layer's own checks (``frame_ok``
#: false: real-device captures) are ``test_frame_vectors``' business
RECORDS = [r for r in standard_records(MSG_IDS)
           if r["scope"] in ("body", "frame") and r.get("frame_ok") is not False]
_VERSIONS = {"2011": Version.V2011, "2013": Version.V2013, "2019": Version.V2019}
_TAIL = b"\x01\x02"


# -- C# name -> our value -----------------------------------------------------------------

def _ids_bytes(message: Any) -> bytes:
    return b"".join(i.to_bytes(2, "big") for i in message.packet_ids or ())


def _time(message: Any) -> dict:
    return {"$datetime": message.time.strftime("%Y-%m-%d %H:%M:%S")}


_REPLY = {"ReplyMsgId": "reply_id", "AckMsgId": "reply_id", "ReplyMsgNum": "reply_serial",
          "MsgNum": "reply_serial", "TerminalResult": "result",
          "JT808PlatformResult": "result"}
_REGISTER = {"AreaID": "province_id", "CityOrCountyId": "city_id",
             "MakerId": "manufacturer_id", "TerminalModel": "terminal_model",
             "TerminalId": "terminal_id", "PlateColor": "license_plate_color",
             "PlateNo": "license_plate"}
_RESEND: dict[str, Callable[[Any], Any]] = {
    "OriginalMsgNum": lambda m: m.original_serial,
    "AgainPackageData": lambda m: {"$bytes": _ids_bytes(m).hex().upper()},
    "AgainPackageCount": lambda m: len(m.packet_ids),
}
_RSA = {"E": lambda m: m.e, "N": lambda m: {"$bytes": m.n.hex().upper()}}


def _attrs(names: dict[str, str]) -> dict[str, Callable[[Any], Any]]:
    return {cs: (lambda m, attr=ours: getattr(m, attr)) for cs, ours in names.items()}


#: msg_id -> C# field -> our value (as the record writes it)
FIELDS: dict[int, dict[str, Callable[[Any], Any]]] = {
    # "Test": the extra WORD of SmallChi's Demo13 0x0001 class, not the standard's: a
    # tolerant decode keeps it as the trailing bytes (see DEVIATIONS)
    0x0001: _attrs(_REPLY) | {"Test": lambda m: int.from_bytes(m.trailing, "big")},
    0x8001: _attrs(_REPLY),
    0x0002: {"$self": lambda m: None},          # the C# test only checks the body is empty
    0x0003: {"$self": lambda m: None},
    0x0100: _attrs(_REGISTER),
    0x8100: {"AckMsgNum": lambda m: m.reply_serial,
             "JT808TerminalRegisterResult": lambda m: m.result,
             "Code": lambda m: m.auth_code or None},      # C# null: no code in the body
    0x0102: {"Code": lambda m: m.auth_code, "IMEI": lambda m: m.imei,
             "SoftwareVersion": lambda m: m.app_version,
             "CodeLength": lambda m: len(m.auth_code.encode("gbk"))},
    0x8003: _RESEND,
    0x0005: _RESEND,
    0x8004: {"Time": _time},
    0x8800: {"MultimediaId": lambda m: m.media_id,
             "RetransmitPackageCount": lambda m: len(m.packet_ids or ()),
             "RetransmitPackageIds": lambda m: {"$bytes": _ids_bytes(m).hex().upper()}
             if m.packet_ids else None},
    0x8A00: _RSA,
    0x0A00: _RSA,
}
#: C# string methods applied in an assertion (``MakerId.TrimStart("0")``)
_TRIMS = {'.TrimStart("0")': lambda s: s.lstrip("0"), ".TrimStart()": str.lstrip}


def _expected(value: Any) -> Any:
    if isinstance(value, dict) and value.get("$bytes") == "":
        return None                              # an empty C# array: no ids
    return value


def check_fields(message: Any, record: dict) -> None:
    table = FIELDS[record["msg_id"]]
    for path, value in record["fields"].items():
        name, trim = path, None
        for suffix, function in _TRIMS.items():
            if path.endswith(suffix):
                name, trim = path[:-len(suffix)], function
        ours = table[name](message)
        if trim is not None:
            ours = trim(ours)
        assert ours == _expected(value), path


# -- building a message from an encode record's fields ------------------------------------

def _ids(fields: dict) -> tuple[int, ...]:
    raw = bytes.fromhex(fields["$bytes"])
    return tuple(int.from_bytes(raw[i:i + 2], "big") for i in range(0, len(raw), 2))


def _reply(cls: type) -> Callable[[dict], Any]:
    return lambda f: cls(f.get("ReplyMsgNum", f.get("MsgNum")),
                         f.get("ReplyMsgId", f.get("AckMsgId")),
                         f.get("TerminalResult", f.get("JT808PlatformResult")))


def _resend(cls: type) -> Callable[[dict], Any]:
    return lambda f: cls(f["OriginalMsgNum"], _ids(f["AgainPackageData"]))


def _rsa(cls: type) -> Callable[[dict], Any]:
    return lambda f: cls(f["E"], bytes.fromhex(f["N"]["$bytes"]))


BUILD: dict[int, Callable[[dict], Any]] = {
    0x0001: _reply(TerminalGeneralResponse),
    0x8001: _reply(PlatformGeneralResponse),
    0x0002: lambda f: Heartbeat(),
    0x0003: lambda f: TerminalLogout(),
    0x0100: lambda f: TerminalRegister(f["AreaID"], f["CityOrCountyId"], f["MakerId"],
                                       f["TerminalModel"], f["TerminalId"], f["PlateColor"],
                                       f["PlateNo"]),
    0x8100: lambda f: TerminalRegisterResponse(f["AckMsgNum"], f["JT808TerminalRegisterResult"],
                                               f["Code"] or ""),
    0x0102: lambda f: TerminalAuth(f["Code"], f.get("IMEI", ""), f.get("SoftwareVersion", "")),
    0x8003: _resend(ResendRequest),
    0x0005: _resend(TerminalResendRequest),
    0x8004: lambda f: ServerTimeResponse(
        dt.datetime.strptime(f["Time"]["$datetime"], "%Y-%m-%d %H:%M:%S")),
    0x8800: lambda f: MediaUploadResponse(f["MultimediaId"], _ids(f["RetransmitPackageIds"])),
    0x8A00: _rsa(PlatformRsaKey),
    0x0A00: _rsa(TerminalRsaKey),
}

#: the last field runs to the end of the body: trailing bytes belong to it
_REST_FIELD = {(0x0100, v): "license_plate" for v in Version} | {
    (0x8100, v): "auth_code" for v in Version} | {
    (0x0102, Version.V2011): "auth_code", (0x0102, Version.V2013): "auth_code"}

# -- where we and SmallChi part ways --------------------------------------------------------

_2011_BODY = ("a 2011 body (33 bytes: model BYTE[8], id BYTE[7]) that the record labels "
              "2013 only because nothing in a 2011/2013 header tells them apart; SmallChi "
              "picks 2011 from the body length, and so does our tolerant default (issue "
              "11: read as 2011, the quirk named); strict=True decodes in the version it "
              "is given: as 2013 a TruncatedError")
#: record id -> (reason, layout the tolerant decode finds instead (None: the record's),
#: error decoding with strict=True in the record's version)
DEVIATIONS: dict[str, tuple[str, Version | None, type[Exception]]] = {
    "SmallChi/JT808:Demo15.cs::Test2": (_2011_BODY, Version.V2011, TruncatedError),
    "SmallChi/JT808:Demo13.cs::Test1": (
        "SmallChi demo of replacing the 0x0001 class by one with an extra WORD ('Test'): "
        "not the standard body (table 3 is 5 bytes); strict refuses the 2 extra bytes, "
        "the tolerant default keeps them as trailing", None, RemoteProtocolError),
    "SmallChi/JT808:Demo13.cs::Test2": (
        "as Demo13 Test1 (the decode side)", None, RemoteProtocolError),
}
#: encode records whose bytes are not what we send for those fields (decoded and
#: re-encoded byte for byte all the same): record id -> (reason, the body we send)
NOT_BUILT = {
    "SmallChi/JT808:JT808_0x8800Test.cs::Test2013_1": (
        "an empty resend list as a body without the count byte (2013); from the same fields "
        "we write count 0 (both mean 'all received'; MediaUploadResponse(id, None) writes "
        "SmallChi's form, checked by the decode/re-encode)", "0000008100"),
}
#: encode records that show a defect of ours: xfail(strict) so the fix turns them red
KNOWN_BUGS: dict[str, str] = {}
#: decode records whose asserted fields differ from what we decode, and why
FIELD_DEVIATIONS = {
    "SmallChi/JT808:JT808_0x8100Test.cs::Test3": (
        "the encode input Code='123456' with result 4: SmallChi's encoder drops the code "
        "(no code unless the result is 0), so the body has none and we decode ''"),
}


def _version(record: dict) -> Version:
    return _VERSIONS[record["version"]]


def _body(record: dict) -> bytes:
    data = bytes.fromhex(record["hex"])
    if record["scope"] == "frame":
        frame = unpack(data)
        assert frame.header.msg_id == record["msg_id"]
        return frame.body
    return data


@pytest.mark.parametrize("record", RECORDS, ids=record_ids(RECORDS))
def test_record_decodes_matches_and_reencodes(record: dict) -> None:
    body, version = _body(record), _version(record)
    deviation = DEVIATIONS.get(record["id"])
    if deviation is not None:
        _reason, instead, error = deviation
        with pytest.raises(error) as info:
            decode_body(record["msg_id"], body, version, strict=True)
        assert info.value.msg_id == record["msg_id"]
    message = decode_body(record["msg_id"], body, version)
    assert message.msg_id == record["msg_id"]
    if deviation is not None and deviation[1] is not None:
        assert message.tolerated.version is deviation[1]
        assert message.quirks == (f"body has the JT/T 808-{deviation[1].value} layout, "
                                  f"not {version.value}: read as {deviation[1].value}",)
        version = deviation[1]
        assert decode_body(record["msg_id"], body, version, strict=True) == message
    elif deviation is not None:
        assert message.trailing and len(message.quirks) == 1
        assert "after the last field kept as trailing" in message.quirks[0]
    else:
        assert message.quirks == () and message.trailing == b""
    if record["id"] not in FIELD_DEVIATIONS:
        check_fields(message, record)
    assert encode_body(message, version) == body


def _failed_registration(msg_id: int, body: bytes) -> bool:
    """A 0x8100 with a result other than 0 has no auth code field to run to the end."""
    return msg_id == 0x8100 and len(body) >= 3 and body[2] != 0


@pytest.mark.parametrize("record", RECORDS, ids=record_ids(RECORDS))
def test_record_with_trailing_bytes(record: dict) -> None:
    """Two bytes past the body: with ``strict=True`` an error naming message and offset;
    by default kept in ``.trailing`` (quirk named, re-encoded with them). Where the last
    field runs to the end of the body it keeps them, in both modes."""
    body, version = _body(record), _version(record)
    if record["id"] in DEVIATIONS:
        version = DEVIATIONS[record["id"]][1] or version
    key, raw = (record["msg_id"], version), body + _TAIL
    if key in _REST_FIELD and not _failed_registration(record["msg_id"], body):
        for strict in (True, False):
            message = decode_body(record["msg_id"], raw, version, strict=strict)
            assert getattr(message, _REST_FIELD[key]).encode("gbk").endswith(_TAIL)
            assert encode_body(message, version) == raw
        return
    if record["msg_id"] == 0x8800 and len(body) == 4:
        # a media id alone: the tail reads as count 1 and half an id, in both modes
        for strict in (True, False):
            with pytest.raises(TruncatedError) as info:
                decode_body(record["msg_id"], raw, version, strict=strict)
            assert (info.value.msg_id, info.value.field) == (0x8800, "packet_ids")
        return
    with pytest.raises(RemoteProtocolError) as info:
        decode_body(record["msg_id"], raw, version, strict=True)
    assert info.value.msg_id == record["msg_id"]
    assert not isinstance(info.value, TruncatedError)
    before = decode_body(record["msg_id"], body, version)
    message = decode_body(record["msg_id"], raw, version)
    assert message == before
    assert message.trailing == before.trailing + _TAIL
    offset = len(body) - len(before.trailing)
    assert info.value.offset == offset
    assert (f"{len(message.trailing)} bytes after the last field kept as trailing "
            f"(offset {offset})") in message.quirks
    assert encode_body(message, version) == raw


ENCODE = [r for r in RECORDS if r["test_kind"] == "encode"]


def _encode_param(record: dict):
    marks = []
    if record["id"] in KNOWN_BUGS:
        marks = [pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[record["id"]])]
    return pytest.param(record, marks=marks)


@pytest.mark.parametrize("record", [_encode_param(r) for r in ENCODE], ids=record_ids(ENCODE))
def test_encode_record_built_from_its_fields(record: dict) -> None:
    message = BUILD[record["msg_id"]](record["fields"])
    ours = encode_body(message, _version(record))
    if record["id"] in DEVIATIONS and DEVIATIONS[record["id"]][1] is None:
        assert _body(record)[:len(ours)] == ours     # the standard body, then SmallChi's extra
        return
    if record["id"] in NOT_BUILT:
        assert ours != _body(record)
        assert ours.hex().upper() == NOT_BUILT[record["id"]][1]
        return
    assert ours == _body(record)


def test_every_message_id_and_version_has_a_record() -> None:
    seen = {(r["msg_id"], r["version"]) for r in RECORDS}
    assert {msg_id for msg_id, _ in seen} == MSG_IDS
    assert {(0x0100, "2011"), (0x0100, "2013"), (0x0100, "2019"), (0x0102, "2019"),
            (0x8800, "2011"), (0x8004, "2019")} <= seen


def test_every_listed_exception_is_a_record() -> None:
    ids = {r["id"] for r in RECORDS}
    assert set(DEVIATIONS) | set(NOT_BUILT) | set(KNOWN_BUGS) | set(FIELD_DEVIATIONS) <= ids
