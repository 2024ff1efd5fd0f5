"""smallchi.jsonl records of the media, pass-through and compressed data messages.

Source: ``tests/vectors/smallchi.jsonl`` (unit tests of the C# codec SmallChi/JT808);
each test id is the record id. For every ``decode``/``encode`` record of our message ids
that is not ``extension``/``smallchi_specific`` (the SuBiao/YueBiao 0x0900/0x8900
fragments are extensions and are left out):

* ``decode``: the body decodes (scope frame: unpack + decode), the asserted C# fields
  match our attributes through ``_NAMES`` (C# property -> our attribute, converter to the
  C# wire value), and the message re-encodes byte-exact;
* ``encode``: the message built from the record's fields (unset fields: the C# defaults)
  encodes to the asserted hex (scope frame: the whole packed frame).

Documented differences (``_OPAQUE_DATA``): the 0x8900 record's content (``Id``, ``Sex``)
is a test-only C# body; to us it is pass-through bytes, so its fields are compared as
slices of ``data`` and the encode record takes ``data`` from the hex. ``Demo5.cs::Test1``
is ten subpackets of one 0x0801 captured from a device with wrong check codes: each frame
must be refused (``ChecksumError``); with the check code repaired, the ten bodies join
into one 0x0801 carrying a whole JPEG (``test_demo5_reassembled``).
"""
from __future__ import annotations

import datetime as dt
import re

import attrs
import pytest

from jt808.codec import (MESSAGES, LocationBasic, StoredMediaItem, decode, decode_body,
                         encode, encode_body)
from jt808.errors import ChecksumError
from jt808.frame import Frame, Version, escape, pack, unescape, unpack, xor_check

from conformance_support import record_ids, standard_records

MSG_IDS = {0x0800, 0x0801, 0x0802, 0x0805, 0x8801, 0x8802, 0x8803, 0x8804, 0x8805, 0x0900,
           0x8900, 0x0901}
_VERSIONS = {"2011": Version.V2011, "2013": Version.V2013, "2019": Version.V2019}
_DEMO5 = "SmallChi/JT808:Demo5.cs::Test1"


def _same(value):
    return value


def _wire(scale: float):
    return lambda value: round(abs(value) * scale)


# C# property -> (our attribute or method, converter from our value to the C# value)
_NAMES = {
    "MultimediaId": ("media_id", _same), "MultimediaType": ("media_type", _same),
    "MultimediaCodingFormat": ("media_encoding", _same),
    "EventItemCoding": ("event_code", _same), "ChannelId": ("channel_id", _same),
    "MultimediaDataPackage": ("media_data", _same), "Position": ("location", _same),
    "AlarmFlag": ("alarm_flag", _same), "StatusFlag": ("status", _same),
    "Lat": ("latitude", _wire(1e6)), "Lng": ("longitude", _wire(1e6)),
    "Altitude": ("altitude", _same), "Speed": ("speed", _wire(10)),
    "Direction": ("direction", _same), "GPSTime": ("time", _same),
    "MsgNum": ("reply_serial", _same), "ReplyMsgNum": ("reply_serial", _same),
    "MultimediaItemCount": ("medias", len), "MultimediaSearchItems": ("medias", _same),
    "Result": ("result", _same), "MultimediaIdCount": ("ids", len),
    "MultimediaIds": ("ids", _same),
    "ShootingCommand": ("shooting_order", _same), "VideoTime": ("working_time", _same),
    "SaveFlag": ("save_flag", _same), "Resolution": ("resolution", _same),
    "VideoQuality": ("quality", _same), "Lighting": ("brightness", _same),
    "Contrast": ("contrast", _same), "Saturability": ("saturation", _same),
    "Chroma": ("chroma", _same), "StartTime": ("start_time", _same),
    "EndTime": ("end_time", _same), "MultimediaDeleted": ("delete_flag", _same),
    "RecordCmd": ("recording_cmd", _same), "RecordTime": ("recording_time", _same),
    "RecordSave": ("save_flag", _same), "AudioSampleRate": ("audio_sample_rate", _same),
    "PassthroughType": ("data_type", _same),
    "JT808_0x0900_BodyBase": ("", _same), "JT808_0X8900_BodyBase": ("", _same),
    "PassthroughContent": ("data", lambda data: data.decode("gbk")),
    "Id": ("data", lambda data: int.from_bytes(data[:4], "big")),   # see _OPAQUE_DATA
    "Sex": ("data", lambda data: data[4]),
    "UnCompressMessage": ("decompressed", _same),
    "UnCompressMessageLength": ("decompressed", len),
}
# C# wire value -> our value, for building encode records
_FROM_WIRE = {"Lat": lambda v: v / 1e6, "Lng": lambda v: v / 1e6, "Speed": lambda v: v / 10,
              "PassthroughContent": lambda v: v.encode("gbk")}
# nested attribute -> item class
_ITEM_CLASSES = {"location": LocationBasic, "medias": StoredMediaItem}
# msg id -> attribute built from the hex (its C# fields are a test-only inner body)
_OPAQUE_DATA = {0x8900: ("data", 1)}

_SEGMENT = re.compile(r"([A-Za-z0-9_]+)(?:\[(\d+)\])?$")


_ALL = standard_records(MSG_IDS, ("decode", "encode"))


def _cs_value(value):
    """A record value as Python: bytes, datetime, tuple, or itself."""
    if isinstance(value, dict) and "$bytes" in value:
        return bytes.fromhex(value["$bytes"])
    if isinstance(value, dict) and "$datetime" in value:
        return dt.datetime.strptime(value["$datetime"], "%Y-%m-%d %H:%M:%S")
    if isinstance(value, list):
        return tuple(value)
    return value


def _split(path: str) -> list[tuple[str, int | None]]:
    parts = []
    for segment in path.split("."):
        match = _SEGMENT.match(segment)
        assert match, f"unexpected C# path segment {segment!r} in {path!r}"
        parts.append((match[1], None if match[2] is None else int(match[2])))
    return parts


def _ours(message, path: str):
    """The C# value of ``path`` computed from our message."""
    obj = message
    convert = _same
    for name, index in _split(path):
        attr, convert = _NAMES[name]
        if attr:
            obj = getattr(obj, attr)
            if callable(obj):
                obj = obj()
        if index is not None:
            obj = obj[index]
    return convert(obj)


def _version(record: dict) -> Version:
    return _VERSIONS[record["version"]]


def _body(record: dict) -> bytes:
    data = bytes.fromhex(record["hex"])
    return unpack(data).body if record["scope"] == "frame" else data


# -- building a message from an encode record ----------------------------------------

def _tree(fields: dict) -> dict:
    """``{"A[0].B": 1}`` -> ``{"a": {0: {"b": 1}}}`` in our attribute names and units."""
    tree: dict = {}
    for path, value in fields.items():
        node = tree
        parts = _split(path)
        for depth, (name, index) in enumerate(parts):
            attr = _NAMES[name][0]
            last = depth == len(parts) - 1
            if not attr:
                continue
            if last:
                value = _FROM_WIRE.get(name, _same)(_cs_value(value))
                if index is None:
                    node[attr] = value
                else:
                    node.setdefault(attr, {})[index] = value
            elif index is None:
                node = node.setdefault(attr, {})
            else:
                node = node.setdefault(attr, {}).setdefault(index, {})
    return tree


def _build(cls, tree: dict, version: Version):
    kwargs = {}
    for field in attrs.fields(cls):
        if field.name in tree:
            value = tree[field.name]
            item_cls = _ITEM_CLASSES.get(field.name)
            if item_cls is not None and isinstance(value, dict) and all(
                    isinstance(k, int) for k in value):
                value = tuple(_build(item_cls, value[i], version) for i in sorted(value))
            elif item_cls is not None:
                value = _build(item_cls, value, version)
            elif isinstance(value, dict):   # "Ids[0]", "Ids[1]"...: a list of leaves
                value = tuple(value[i] for i in sorted(value))
            kwargs[field.name] = value
        elif field.default is attrs.NOTHING:   # C# default
            kwargs[field.name] = None if field.name == "media_id" and version is Version.V2011 \
                else 0
    return cls(**kwargs)


def _build_message(record: dict, body: bytes, version: Version):
    cls = MESSAGES[(version, record["msg_id"])]
    tree = _tree(record["fields"])
    opaque = _OPAQUE_DATA.get(record["msg_id"])
    if opaque:
        name, start = opaque
        tree[name] = body[start:]
    return _build(cls, tree, version)


# -- the tests --------------------------------------------------------------------------

_RUN = [r for r in _ALL if r["id"] != _DEMO5]


@pytest.mark.parametrize("record", _RUN, ids=record_ids(_RUN))
def test_record(record: dict) -> None:
    version = _version(record)
    body = _body(record)
    if record["test_kind"] == "decode":
        if record["scope"] == "frame":
            message = decode(unpack(bytes.fromhex(record["hex"])), version)
        else:
            message = decode_body(record["msg_id"], body, version)
        for path, expected in record["fields"].items():
            assert _ours(message, path) == _cs_value(expected), path
    else:
        message = _build_message(record, body, version)
        if record["scope"] == "frame":
            header = record["header"]
            frame = encode(message, phone=header["TerminalPhoneNo"],
                           serial=header.get("ManualMsgNum", header.get("MsgNum", 0)),
                           version=version)
            assert pack(frame).hex().upper() == record["hex"]
        assert encode_body(message, version) == body
    assert encode_body(message, version) == body   # byte-exact re-encode


def _demo5_frames() -> list[bytes]:
    return [bytes.fromhex(r["hex"]) for r in _ALL if r["id"] == _DEMO5]


def _repaired(frame: bytes) -> bytes:
    raw = unescape(frame[1:-1])
    raw = raw[:-1] + bytes([xor_check(raw[:-1])])
    return b"\x7e" + escape(raw) + b"\x7e"


def test_demo5_frames_with_bad_check_code_are_refused() -> None:
    frames = _demo5_frames()
    assert len(frames) == 10
    for data in frames:
        with pytest.raises(ChecksumError):
            unpack(data)


def test_demo5_reassembled() -> None:
    frames = [unpack(_repaired(data)) for data in _demo5_frames()]
    packets = {f.header.packet[1]: f for f in frames}
    assert sorted(packets) == list(range(1, 11))
    assert all(f.header.packet[0] == 10 for f in frames)
    # a subpacket alone (index > 1) is raw: the session reassembles first
    assert decode(packets[2]).body == packets[2].body
    body = b"".join(packets[i].body for i in range(1, 11))
    message = decode_body(0x0801, body, Version.V2013)
    assert message.media_id == 0x271D
    assert message.media_data[:2] == b"\xff\xd8" and message.media_data[-2:] == b"\xff\xd9"
    assert encode_body(message, Version.V2013) == body


def test_every_message_id_has_a_record() -> None:
    assert {r["msg_id"] for r in _ALL} == MSG_IDS
