"""Terminal control, terminal properties and remote upgrade.

JT/T 808-2013 §8.12-8.16, 2019 §8.12-8.16 (0x8105, 0x8107, 0x0107, 0x8108, 0x0108).
0x8107/0x0107/0x8108/0x0108 came with 2013; they are kept for 2011 with the 2013 layout
because the seed's 2011 mode sends them.
"""
from __future__ import annotations

import struct
from typing import Any, ClassVar

import attrs

from ..errors import LocalProtocolError
from ..frame import Buffer, Version
from ._base import ALL_VERSIONS, EmptyBody, Message, by_version, register

__all__ = [
    "TerminalControl", "QueryTerminalProperties", "TerminalPropertiesResponse",
    "UpgradePackage", "UpgradeResult",
    "UPGRADE_PARAM_FIELDS", "CONNECT_PARAM_FIELDS",
    "TERMINAL_TYPE_BITS", "GNSS_PROPERTY_BITS", "COMM_PROPERTY_BITS", "flags_to_bits",
]

_SEP = b";"
# WORD inside the ";"-separated command parameters: port or time limit, big-endian
_WORD = struct.Struct(">H")

#: 0x8105 command word 1 (wireless upgrade), 2013 table 19: ``(seed key, kind)`` in wire
#: order; kind ``s`` STRING, ``w`` WORD, ``b`` BYTE, ``5`` BYTE[5] (0x00-padded).
UPGRADE_PARAM_FIELDS: tuple[tuple[str, str], ...] = (
    ("url", "s"), ("dial_point_name", "s"), ("dial_user_name", "s"), ("dial_password", "s"),
    ("addr", "s"), ("tcp_port", "w"), ("udp_port", "w"), ("manufacturer_id", "5"),
    ("hardware_version", "s"), ("firmware_version", "s"), ("conn_timeout", "w"),
)
#: 0x8105 command word 2 (connect to a given server), 2013 table 20.
CONNECT_PARAM_FIELDS: tuple[tuple[str, str], ...] = (
    ("conn_ctrl", "b"), ("auth_code", "s"), ("dial_point_name", "s"), ("dial_user_name", "s"),
    ("dial_password", "s"), ("addr", "s"), ("tcp_port", "w"), ("udp_port", "w"),
    ("conn_timeout", "w"),
)
_COMMAND_FIELDS = {1: UPGRADE_PARAM_FIELDS, 2: CONNECT_PARAM_FIELDS}
_BINARY_WIDTH = {"w": 2, "b": 1}


def _text(raw: bytes) -> str:
    return raw.rstrip(b"\x00").decode("gbk", "surrogateescape")


def _take(data: bytes, pos: int, kind: str) -> tuple[Any, int]:
    """One field at ``pos``: its value and the position after its separator."""
    width = _BINARY_WIDTH.get(kind)
    if width is not None and data[pos:pos + 1] != _SEP:  # an empty field is text ""
        end = pos + width
        if end <= len(data) and (end == len(data) or data[end:end + 1] == _SEP):
            return int.from_bytes(data[pos:end], "big"), end + 1
    end = data.find(_SEP, pos)
    end = len(data) if end < 0 else end
    text = _text(data[pos:end])
    # a peer that wrote the number as text; ASCII digits only ("①".isdigit() is True)
    if width is not None and text.isascii() and text.isdigit():
        return int(text), end + 1
    return text, end + 1


def _parse_command(data: bytes, fields: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    parsed: dict[str, Any] = {}
    pos = 0 if data else 1
    for name, kind in fields:
        if pos >= len(data):
            break
        parsed[name], pos = _take(data, pos, kind)
    return parsed


def _build_field(name: str, kind: str, value: Any) -> bytes:
    field = f"cmd_params.{name}"
    try:
        if kind in _BINARY_WIDTH:
            raw = int(value or 0).to_bytes(_BINARY_WIDTH[kind], "big")
            if raw[:1] == _SEP:  # would read back as an empty field
                raise LocalProtocolError(f"{value!r} starts with the separator byte 0x3B",
                                         msg_id=0x8105, field=field)
            return raw
        raw = str(value or "").encode("gbk", "surrogateescape")
    except (ValueError, OverflowError, UnicodeEncodeError) as exc:
        raise LocalProtocolError(f"{value!r} does not fit: {exc}", msg_id=0x8105,
                                 field=field) from None
    if _SEP in raw:
        raise LocalProtocolError(f"{value!r} contains ';'", msg_id=0x8105, field=field)
    if kind == "5":
        if len(raw) > 5:
            raise LocalProtocolError(f"{value!r} is longer than 5 bytes", msg_id=0x8105,
                                     field=field)
        raw = raw.ljust(5, b"\x00")
    return raw


@register
@attrs.frozen(slots=True)
class TerminalControl(Message):
    """0x8105: terminal control. ``cmd_word`` 1 wireless upgrade, 2 connect to a server,
    3 power off, 4 reset, 5 factory reset, 6 close data link, 7 close all radio links.

    ``cmd_params`` is the command parameter string exactly as on the wire (``;``
    separated, ports and time limit as binary WORDs per the standard); :attr:`parsed`
    reads it into a dict with the seed's key names. Build one with :meth:`upgrade` or
    :meth:`connect_server`.
    """

    MSG_ID: ClassVar[int] = 0x8105
    VERSIONS = ALL_VERSIONS
    cmd_word: int
    cmd_params: bytes = b""

    @property
    def parsed(self) -> dict[str, Any]:
        """The parameters of command words 1 and 2 by the seed's keys; ``{}`` otherwise."""
        fields = _COMMAND_FIELDS.get(self.cmd_word)
        if fields is None or not self.cmd_params:
            return {}
        return _parse_command(self.cmd_params, fields)

    @classmethod
    def _build(cls, cmd_word: int, values: dict[str, Any]) -> "TerminalControl":
        fields = _COMMAND_FIELDS[cmd_word]
        unknown = set(values) - {name for name, _ in fields}
        if unknown:
            raise LocalProtocolError(f"unknown parameters {sorted(unknown)}", msg_id=0x8105,
                                     field="cmd_params")
        parts = [_build_field(name, kind, values.get(name)) for name, kind in fields]
        return cls(cmd_word, _SEP.join(parts))

    @classmethod
    def upgrade(cls, **values: Any) -> "TerminalControl":
        """Command word 1 from the keys of :data:`UPGRADE_PARAM_FIELDS` (missing: empty/0)."""
        return cls._build(1, values)

    @classmethod
    def connect_server(cls, **values: Any) -> "TerminalControl":
        """Command word 2 from the keys of :data:`CONNECT_PARAM_FIELDS`; ``conn_ctrl=1``
        (back to the default platform) carries no other parameter."""
        if values.get("conn_ctrl") == 1 and len(values) == 1:
            return cls(2, b"\x01")
        return cls._build(2, values)

    def encode_into(self, buf: Buffer, version: Version) -> None:
        buf.push_u8(self.cmd_word, "cmd_word")
        buf.push_bytes(self.cmd_params, None, "cmd_params")

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "TerminalControl":
        return cls(buf.pull_u8("cmd_word"), buf.pull_rest())


@register
@attrs.frozen(slots=True)
class QueryTerminalProperties(EmptyBody):
    """0x8107: query terminal properties (empty body)."""

    MSG_ID: ClassVar[int] = 0x8107
    VERSIONS = ALL_VERSIONS


#: terminal type WORD bits, by the seed's ``properties_report`` parameter names
TERMINAL_TYPE_BITS = {
    "applicable_passenger_vehicles": 0, "applicable_to_dangerous_goods_vehicles": 1,
    "applicable_to_ordinary_freight_vehicles": 2, "applicable_to_taxi": 3,
    "support_hard_disk_video": 6, "machine_type": 7, "applicable_to_trailer": 8,
}
#: GNSS module properties BYTE bits
GNSS_PROPERTY_BITS = {"support_gps": 0, "support_bds": 1, "support_glonass": 2,
                      "support_galileo": 3}
#: communication module properties BYTE bits
COMM_PROPERTY_BITS = {
    "support_gprs": 0, "support_cdma": 1, "support_td_scdma": 2, "support_wcdma": 3,
    "support_cdma2000": 4, "support_td_lte": 5, "support_other_communication": 7,
}


def flags_to_bits(table: dict[str, int], **flags: int) -> int:
    """An integer with bit ``table[name]`` set for every true ``name=flag``."""
    try:
        return sum(1 << table[name] for name, flag in flags.items() if flag)
    except KeyError as exc:
        raise LocalProtocolError(f"unknown flag {exc.args[0]!r}", field=str(exc.args[0])) from None


# manufacturer, model, terminal id: fixed widths, 0x00-padded at the end
_PROPERTY_WIDTHS = {Version.V2013: (5, 20, 7), Version.V2019: (11, 30, 30)}


@register
@attrs.frozen(slots=True)
class TerminalPropertiesResponse(Message):
    """0x0107: terminal properties (answer to 0x8107).

    ``terminal_type`` WORD (bits: :data:`TERMINAL_TYPE_BITS`), manufacturer BYTE[5]
    (2019: 11), model BYTE[20] (2019: 30), terminal id BYTE[7] (2019: 30), ``iccid``
    BCD[10] (20 digits), hardware and firmware versions (length BYTE + STRING),
    ``gnss_properties`` BYTE and ``comm_properties`` BYTE.
    """

    MSG_ID: ClassVar[int] = 0x0107
    VERSIONS = ALL_VERSIONS
    terminal_type: int
    manufacturer_id: str
    terminal_model: str
    terminal_id: str
    iccid: str
    hardware_version: str
    firmware_version: str
    gnss_properties: int
    comm_properties: int

    def encode_into(self, buf: Buffer, version: Version) -> None:
        maker, model, ident = by_version(version, _PROPERTY_WIDTHS)
        buf.push_u16(self.terminal_type, "terminal_type")
        buf.push_gbk(self.manufacturer_id, maker, "manufacturer_id")
        buf.push_gbk(self.terminal_model, model, "terminal_model")
        buf.push_gbk(self.terminal_id, ident, "terminal_id")
        buf.push_bcd(self.iccid, 10, "iccid")
        buf.push_gbk_u8len(self.hardware_version, "hardware_version")
        buf.push_gbk_u8len(self.firmware_version, "firmware_version")
        buf.push_u8(self.gnss_properties, "gnss_properties")
        buf.push_u8(self.comm_properties, "comm_properties")

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "TerminalPropertiesResponse":
        maker, model, ident = by_version(version, _PROPERTY_WIDTHS)
        return cls(buf.pull_u16("terminal_type"), buf.pull_gbk(maker, "manufacturer_id"),
                   buf.pull_gbk(model, "terminal_model"), buf.pull_gbk(ident, "terminal_id"),
                   buf.pull_bcd(10, "iccid"), buf.pull_gbk_u8len("hardware_version"),
                   buf.pull_gbk_u8len("firmware_version"), buf.pull_u8("gnss_properties"),
                   buf.pull_u8("comm_properties"))


_UPGRADE_MAKER_WIDTH = {Version.V2013: 5, Version.V2019: 11}


@register
@attrs.frozen(slots=True)
class UpgradePackage(Message):
    """0x8108: upgrade package (whole, reassembled body). ``upgrade_type`` 0 terminal,
    12 IC card reader, 52 GNSS module; manufacturer BYTE[5] (2019: 11); version
    (length BYTE + STRING); package length DWORD; package bytes."""

    MSG_ID: ClassVar[int] = 0x8108
    VERSIONS = ALL_VERSIONS
    upgrade_type: int
    manufacturer_id: str
    firmware_version: str
    upgrade_package: bytes = b""

    def encode_into(self, buf: Buffer, version: Version) -> None:
        buf.push_u8(self.upgrade_type, "upgrade_type")
        buf.push_gbk(self.manufacturer_id, by_version(version, _UPGRADE_MAKER_WIDTH),
                     "manufacturer_id")
        buf.push_gbk_u8len(self.firmware_version, "firmware_version")
        buf.push_u32(len(self.upgrade_package), "upgrade_package length")
        buf.push_bytes(self.upgrade_package, None, "upgrade_package")

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "UpgradePackage":
        upgrade_type = buf.pull_u8("upgrade_type")
        maker = buf.pull_gbk(by_version(version, _UPGRADE_MAKER_WIDTH), "manufacturer_id")
        firmware = buf.pull_gbk_u8len("firmware_version")
        size = buf.pull_u32("upgrade_package length")
        return cls(upgrade_type, maker, firmware, buf.pull_bytes(size, "upgrade_package"))


@register
@attrs.frozen(slots=True)
class UpgradeResult(Message):
    """0x0108: upgrade result. ``result`` 0 success, 1 failure, 2 cancelled."""

    MSG_ID: ClassVar[int] = 0x0108
    VERSIONS = ALL_VERSIONS
    upgrade_type: int
    result: int

    def encode_into(self, buf: Buffer, version: Version) -> None:
        buf.push_u8(self.upgrade_type, "upgrade_type")
        buf.push_u8(self.result, "result")

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "UpgradeResult":
        return cls(buf.pull_u8("upgrade_type"), buf.pull_u8("result"))
