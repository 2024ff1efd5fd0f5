"""GB/T 19056-2012 driving recorder frames carried in 0x8700 / 0x8701 / 0x0700
(``cmd_data``), typed for the blocks whose layout is fixed and simple.

Frame (appendix B): ``55 7A`` | command word BYTE | data length WORD | reserved BYTE |
data | check BYTE (XOR of every byte before it). The recorder's error frame is ``55 7A``
| ``FA`` (collection error) or ``FB`` (setting error) | reserved BYTE | check.

Typed data blocks (others stay raw ``bytes``, re-encoded unchanged):

====================  ==============================================================
word                  data
====================  ==============================================================
0x00 version          standard year BCD[1] (``"12"``), modification number BYTE
0x01 / 0x81 licence   driver licence number ASCII[18]
0x02 / 0xC2 time      BCD[6] ``YYMMDDhhmmss``
0x03 / 0xC4 mileage   real time BCD[6], install time BCD[6], initial mileage BCD[4],
                      total mileage BCD[4] (0.1 km)
0x04 / 0xC3 pulse     time BCD[6], pulse coefficient WORD
0x05 / 0x82 vehicle   VIN ASCII[17], plate GBK[12], plate class GBK[12] (0x00-padded)
0x83 install time     BCD[6]
0x08-0x15 (down)      start BCD[6], end BCD[6], max blocks WORD (a 14-byte request)
0x08 speed (up)       N x 126-byte blocks: minute start BCD[6] (seconds 00), then
                      60 x (average speed BYTE km/h, status signal BYTE), one a second
0x09 position (up)    N x 666-byte blocks: hour start BCD[6] (minutes, seconds 00), then
                      60 x (longitude DWORD, latitude DWORD, altitude WORD m, average
                      speed BYTE km/h), one a minute
====================  ==============================================================

0x08 / 0x09 records (GB/T 19056-2012 appendix A, the "collect the specified speed /
position records" answers): a block is exactly 126 / 666 bytes, the part with no
record filled with ``FF`` (a second ``FF FF``, a minute eleven ``FF``: ``None`` here),
and the blocks are sent newest first ("the first, second... minute/hour before the end
time asked"); no record in range gives empty data. Longitude and latitude are signed
32-bit in 0.0001 minute of arc (east and north positive), altitude a signed WORD in
metres. Checked against SmallChi/JT808 ``JT808_CarDVR_Up_0x08``/``0x09`` (block sizes,
field order, signed ``Int32``/``Int16`` reads, ``FF`` padding, its block naming) and
against the standard's wording quoted in an open recorder firmware (``rec_09``: "a
32-bit signed number, 0.0001 minute per bit"). SmallChi's own 0x09 test puts 1e-6
degree values in those fields (113656598, 23665544): bytes are kept as they are, so
its record still round-trips. A partial trailing block is a ``TruncatedError`` naming
its offset in the data.
"""
from __future__ import annotations

import datetime as dt
import struct
from typing import Any

import attrs

from ..errors import LocalProtocolError, RemoteProtocolError, TruncatedError

__all__ = ["RecorderFrame", "RecorderVersion", "DriverLicence", "RecorderTime",
           "RecorderMileage", "PulseCoefficient", "VehicleInfo", "InstallTime",
           "RecordRange", "SpeedSample", "SpeedMinute", "SpeedRecords", "PositionSample",
           "PositionHour", "PositionRecords", "COLLECT_ERROR", "SETTING_ERROR",
           "decode_recorder_data", "encode_recorder_data"]

_HEAD = b"\x55\x7a"
COLLECT_ERROR, SETTING_ERROR = 0xFA, 0xFB


def _xor(data: bytes) -> int:
    value = 0
    for byte in data:
        value ^= byte
    return value


def _bcd_time(raw: bytes, field: str) -> dt.datetime | None:
    digits = raw.hex()
    if digits == "000000000000":
        return None
    try:
        return dt.datetime(2000 + int(digits[:2]), int(digits[2:4]), int(digits[4:6]),
                           int(digits[6:8]), int(digits[8:10]), int(digits[10:12]))
    except ValueError:
        raise RemoteProtocolError(f"BCD time {digits} is not a time", field=field) from None


def _push_time(when: dt.datetime | None) -> bytes:
    if when is None:
        return bytes(6)
    if not 2000 <= when.year <= 2099:
        raise LocalProtocolError(f"{when} is outside 2000-2099", field="time")
    return bytes.fromhex(when.strftime("%y%m%d%H%M%S"))


def _bcd_int(raw: bytes, field: str) -> int:
    digits = raw.hex()
    if not digits.isdigit():
        raise RemoteProtocolError(f"{digits} is not BCD", field=field)
    return int(digits)


def _push_bcd_int(value: int, size: int, field: str) -> bytes:
    text = str(value)
    if value < 0 or len(text) > 2 * size:
        raise LocalProtocolError(f"{value} does not fit BCD[{size}]", field=field)
    return bytes.fromhex(text.zfill(2 * size))


def _text(raw: bytes, encoding: str) -> str:
    return raw.rstrip(b"\x00").decode(encoding, "surrogateescape")


def _fixed(value: str, size: int, encoding: str, field: str) -> bytes:
    raw = value.encode(encoding, "surrogateescape")
    if len(raw) > size:
        raise LocalProtocolError(f"{value!r} is longer than {size} bytes", field=field)
    return raw.ljust(size, b"\x00")


@attrs.frozen
class RecorderVersion:
    year: str = "12"
    modification: int = 0

    def encode(self) -> bytes:
        return bytes.fromhex(self.year.zfill(2)) + bytes((self.modification,))

    @classmethod
    def decode(cls, raw: bytes) -> "RecorderVersion":
        return cls(raw[:1].hex(), raw[1])


@attrs.frozen
class DriverLicence:
    number: str

    def encode(self) -> bytes:
        return _fixed(self.number, 18, "ascii", "licence")

    @classmethod
    def decode(cls, raw: bytes) -> "DriverLicence":
        return cls(_text(raw, "ascii"))


@attrs.frozen
class RecorderTime:
    time: dt.datetime | None

    def encode(self) -> bytes:
        return _push_time(self.time)

    @classmethod
    def decode(cls, raw: bytes) -> "RecorderTime":
        return cls(_bcd_time(raw, "time"))


@attrs.frozen
class InstallTime(RecorderTime):
    pass


@attrs.frozen
class RecorderMileage:
    time: dt.datetime | None
    install_time: dt.datetime | None
    initial_mileage: int            # 0.1 km
    total_mileage: int              # 0.1 km

    def encode(self) -> bytes:
        return (_push_time(self.time) + _push_time(self.install_time)
                + _push_bcd_int(self.initial_mileage, 4, "initial_mileage")
                + _push_bcd_int(self.total_mileage, 4, "total_mileage"))

    @classmethod
    def decode(cls, raw: bytes) -> "RecorderMileage":
        return cls(_bcd_time(raw[:6], "time"), _bcd_time(raw[6:12], "install_time"),
                   _bcd_int(raw[12:16], "initial_mileage"), _bcd_int(raw[16:20], "total_mileage"))


@attrs.frozen
class PulseCoefficient:
    time: dt.datetime | None
    coefficient: int

    def encode(self) -> bytes:
        return _push_time(self.time) + struct.pack(">H", self.coefficient)

    @classmethod
    def decode(cls, raw: bytes) -> "PulseCoefficient":
        return cls(_bcd_time(raw[:6], "time"), struct.unpack(">H", raw[6:8])[0])


@attrs.frozen
class VehicleInfo:
    """``class_size``: 12 as the standard says; SmallChi's 0x82 sends 10 (kept, so the
    block re-encodes unchanged)."""

    vin: str
    plate: str
    plate_class: str
    class_size: int = attrs.field(default=12, eq=False)

    def encode(self) -> bytes:
        return (_fixed(self.vin, 17, "ascii", "vin") + _fixed(self.plate, 12, "gbk", "plate")
                + _fixed(self.plate_class, self.class_size, "gbk", "plate_class"))

    @classmethod
    def decode(cls, raw: bytes) -> "VehicleInfo":
        return cls(_text(raw[:17], "ascii"), _text(raw[17:29], "gbk"), _text(raw[29:], "gbk"),
                   len(raw) - 29)


@attrs.frozen
class RecordRange:
    """A collection request for records 0x08-0x15: time range and the most blocks."""

    start: dt.datetime | None
    end: dt.datetime | None
    max_blocks: int

    def encode(self) -> bytes:
        return _push_time(self.start) + _push_time(self.end) + struct.pack(">H", self.max_blocks)

    @classmethod
    def decode(cls, raw: bytes) -> "RecordRange":
        return cls(_bcd_time(raw[:6], "start"), _bcd_time(raw[6:12], "end"),
                   struct.unpack(">H", raw[12:14])[0])


_MINUTE_UNITS = 600_000              # 0.0001 minute of arc per degree
# 0x08 second: average speed BYTE, status signal BYTE
_SECOND = struct.Struct(">BB")
# 0x09 minute: longitude i32, latitude i32 (0.0001'), altitude i16 (m), average speed BYTE
_MINUTE = struct.Struct(">iihB")


def _check_range(value: int, low: int, high: int, field: str) -> int:
    if not low <= value <= high:
        raise LocalProtocolError(f"{value} is outside {low}..{high}", field=field)
    return value


def _padded(items: tuple, field: str) -> tuple:
    if len(items) > 60:
        raise LocalProtocolError(f"{len(items)} entries, a block holds 60", field=field)
    return items + (None,) * (60 - len(items))


@attrs.frozen
class SpeedSample:
    """One second of a 0x08 block: average speed (km/h) and the status signal byte."""

    speed: int
    status: int = 0


@attrs.frozen
class SpeedMinute:
    """A 0x08 block: the minute from ``start`` and 60 seconds (``None``: no record,
    ``FF FF``). Fewer than 60 are padded with ``None`` when encoded."""

    SIZE = 126
    start: dt.datetime | None
    seconds: tuple[SpeedSample | None, ...] = ()

    def encode(self) -> bytes:
        out = bytearray(_push_time(self.start))
        for sample in _padded(tuple(self.seconds), "seconds"):
            out += b"\xff\xff" if sample is None else _SECOND.pack(
                _check_range(sample.speed, 0, 255, "speed"),
                _check_range(sample.status, 0, 255, "status"))
        return bytes(out)

    @classmethod
    def decode(cls, raw: bytes) -> "SpeedMinute":
        seconds = tuple(None if raw[i:i + 2] == b"\xff\xff"
                        else SpeedSample(*_SECOND.unpack_from(raw, i)) for i in range(6, 126, 2))
        return cls(_bcd_time(raw[:6], "start"), seconds)


@attrs.frozen
class PositionSample:
    """One minute of a 0x09 block: position (signed degrees, sent in 0.0001 minute),
    altitude (m) and average speed (km/h)."""

    longitude: float
    latitude: float
    altitude: int = 0
    speed: int = 0

    def pack(self) -> bytes:
        def units(degrees: float, field: str) -> int:
            return _check_range(round(degrees * _MINUTE_UNITS), -2**31, 2**31 - 1, field)
        return _MINUTE.pack(units(self.longitude, "longitude"), units(self.latitude, "latitude"),
                            _check_range(self.altitude, -2**15, 2**15 - 1, "altitude"),
                            _check_range(self.speed, 0, 255, "speed"))

    @classmethod
    def unpack(cls, raw: bytes, offset: int) -> "PositionSample":
        lon, lat, altitude, speed = _MINUTE.unpack_from(raw, offset)
        return cls(lon / _MINUTE_UNITS, lat / _MINUTE_UNITS, altitude, speed)


@attrs.frozen
class PositionHour:
    """A 0x09 block: the hour from ``start`` and 60 minutes (``None``: no record, eleven
    ``FF``). Fewer than 60 are padded with ``None`` when encoded."""

    SIZE = 666
    start: dt.datetime | None
    minutes: tuple[PositionSample | None, ...] = ()

    def encode(self) -> bytes:
        out = bytearray(_push_time(self.start))
        for sample in _padded(tuple(self.minutes), "minutes"):
            out += b"\xff" * _MINUTE.size if sample is None else sample.pack()
        return bytes(out)

    @classmethod
    def decode(cls, raw: bytes) -> "PositionHour":
        empty = b"\xff" * _MINUTE.size
        minutes = tuple(None if raw[i:i + _MINUTE.size] == empty else PositionSample.unpack(raw, i)
                        for i in range(6, 666, _MINUTE.size))
        return cls(_bcd_time(raw[:6], "start"), minutes)


def _decode_blocks(block: Any, raw: bytes, word: int) -> tuple:
    whole, rest = divmod(len(raw), block.SIZE)
    if rest:
        raise TruncatedError(f"0x{word:02X} data of {len(raw)} bytes ends in a partial "
                             f"{block.SIZE}-byte block ({rest} bytes)", field="cmd_data",
                             offset=whole * block.SIZE)
    return tuple(block.decode(raw[i * block.SIZE:(i + 1) * block.SIZE]) for i in range(whole))


@attrs.frozen
class SpeedRecords:
    """0x08 answer: per-minute speed blocks, newest first (empty: none in range)."""

    minutes: tuple[SpeedMinute, ...] = ()

    def encode(self) -> bytes:
        return b"".join(minute.encode() for minute in self.minutes)

    @classmethod
    def decode(cls, raw: bytes) -> "SpeedRecords":
        return cls(_decode_blocks(SpeedMinute, raw, 0x08))


@attrs.frozen
class PositionRecords:
    """0x09 answer: per-hour position blocks, newest first (empty: none in range)."""

    hours: tuple[PositionHour, ...] = ()

    def encode(self) -> bytes:
        return b"".join(hour.encode() for hour in self.hours)

    @classmethod
    def decode(cls, raw: bytes) -> "PositionRecords":
        return cls(_decode_blocks(PositionHour, raw, 0x09))


# (command word, direction "up"/"down") -> (block class, data size)
_Entry = tuple[Any, Any]               # (block class, size, sizes, or None: any size)
_UP: dict[int, _Entry] = {0x00: (RecorderVersion, 2), 0x01: (DriverLicence, 18), 0x02: (RecorderTime, 6),
       0x03: (RecorderMileage, 20), 0x04: (PulseCoefficient, 8), 0x05: (VehicleInfo, 41),
       0x08: (SpeedRecords, None), 0x09: (PositionRecords, None)}
_DOWN: dict[int, _Entry] = {0x81: (DriverLicence, 18), 0x82: (VehicleInfo, (39, 41)), 0x83: (InstallTime, 6),
         0xC2: (RecorderTime, 6), 0xC3: (PulseCoefficient, 8), 0xC4: (RecorderMileage, 20),
         **{w: (RecordRange, 14) for w in range(0x08, 0x16)}}


def decode_recorder_data(cmd_word: int, data: bytes, *, upward: bool) -> Any:
    """The typed block of ``data`` (raw ``bytes`` for a word or size not typed here)."""
    entry = (_UP if upward else _DOWN).get(cmd_word)
    if entry is None:
        return bytes(data)
    block, size = entry
    if size is not None and len(data) not in (size if isinstance(size, tuple) else (size,)):
        return bytes(data)
    return block.decode(bytes(data))


def encode_recorder_data(block: Any) -> bytes:
    return bytes(block) if isinstance(block, (bytes, bytearray)) else block.encode()


@attrs.frozen
class RecorderFrame:
    """One GB/T 19056 frame. ``error`` (0xFA / 0xFB) makes it an error frame (no data);
    ``data`` is a typed block or bytes; ``reserved`` kept as received."""

    cmd_word: int
    data: Any = b""
    error: int | None = None
    reserved: int = 0

    def encode(self) -> bytes:
        if self.error is not None:
            body = _HEAD + bytes((self.error, self.reserved))
        else:
            data = encode_recorder_data(self.data)
            if len(data) > 0xFFFF:
                raise LocalProtocolError(f"{len(data)} data bytes do not fit a WORD length",
                                         field="data")
            body = _HEAD + struct.pack(">BHB", self.cmd_word, len(data), self.reserved) + data
        return body + bytes((_xor(body),))

    @classmethod
    def decode(cls, raw: bytes, *, upward: bool, cmd_word: int | None = None
               ) -> "RecorderFrame":
        """``upward``: recorder -> platform (0x0700), else platform -> recorder.
        ``cmd_word``: the 0x0700/0x8700 command word, for an error frame's word."""
        raw = bytes(raw)
        if len(raw) < 5:
            raise TruncatedError(f"{len(raw)} bytes are not a recorder frame", field="cmd_data")
        if raw[:2] != _HEAD:
            raise RemoteProtocolError(f"a recorder frame starts 55 7A, not {raw[:2].hex()}",
                                      field="cmd_data")
        if raw[-1] != _xor(raw[:-1]):
            raise RemoteProtocolError(f"check byte {raw[-1]:02X}, computed {_xor(raw[:-1]):02X}",
                                      field="cmd_data")
        if len(raw) == 5 and raw[2] in (COLLECT_ERROR, SETTING_ERROR):
            return cls(cmd_word if cmd_word is not None else raw[2], b"", raw[2], raw[3])
        if len(raw) < 7:
            raise TruncatedError(f"{len(raw)} bytes are not a recorder frame", field="cmd_data")
        word, length, reserved = struct.unpack(">BHB", raw[2:6])
        data = raw[6:-1]
        if len(data) != length:
            raise RemoteProtocolError(f"length says {length}, {len(data)} data bytes follow",
                                      field="cmd_data")
        return cls(word, decode_recorder_data(word, data, upward=upward), None, reserved)
