"""8-bit binary SMS PDU codec (3GPP 23.040; quectel-at.md §6).

SMS-SUBMIT (host -> SMSC) and SMS-DELIVER (SMSC -> host), both with the SCA
(SMSC address) octets in front, as ``AT+CMGS`` takes and ``AT+CMGR`` gives them.
Payloads over 140 octets are split into concatenated parts with the UDH
``05 00 03 <ref> <total> <seq>`` (IEI 0x00, 8-bit reference, 134 octets a part).
The decoder also reads IEI 0x08 (16-bit reference), GSM 7-bit and UCS2 bodies
(``text`` is then set), and alphanumeric originator addresses.

Every decoder raises :class:`hal.errors.PduError` (never IndexError/ValueError)
on malformed input. Bad local arguments raise ``ValueError``.
"""
from __future__ import annotations

import datetime as _dt

import attrs

from ..errors import PduError

__all__ = [
    "SmsDeliver", "SmsSubmit", "encode_submit", "decode_submit",
    "encode_deliver", "decode_deliver", "Reassembler",
    "MAX_SINGLE", "MAX_PART", "DCS_8BIT",
]

MAX_SINGLE = 140        # TP-UD octets in one SMS (§6)
MAX_PART = 134          # with the 6-octet UDH 05 00 03 ref total seq (§6)
DCS_8BIT = 0x04         # 8-bit data, no message class (§6)
VP_24H = 0xA7           # relative validity period, 24 h (§6)
TOA_INTERNATIONAL = 0x91
TOA_NATIONAL = 0x81
TOA_ALPHANUMERIC = 0xD0
_MTI_DELIVER = 0x00
_MTI_SUBMIT = 0x01
_UDHI = 0x40

# BCD semi-octet digits (23.040 §9.1.2.3): 0-9, then * # a b c.
_BCD_DIGITS = "0123456789*#abc"

# GSM 03.38 default alphabet (basic table, no extension) for 7-bit bodies/names.
_GSM7 = ("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
         "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")

Concat = tuple  # (ref, total, seq)


@attrs.frozen
class SmsDeliver:
    """A received SMS (or one part of it when ``concat`` is ``(ref, total, seq)``)."""

    sender: str                          # "+8613800138000", "13800138000" or alphanumeric
    data: bytes                          # TP-UD without the UDH
    timestamp: _dt.datetime              # SCTS, timezone-aware
    concat: tuple[int, int, int] | None = None
    dcs: int = DCS_8BIT
    text: str | None = None              # set for GSM 7-bit and UCS2 bodies
    smsc: str | None = None


@attrs.frozen
class SmsSubmit:
    """A decoded SMS-SUBMIT (what the simulator reads from ``AT+CMGS``)."""

    number: str
    data: bytes
    concat: tuple[int, int, int] | None = None
    dcs: int = DCS_8BIT
    smsc: str | None = None
    status_report: bool = False
    message_ref: int = 0


# ---------------------------------------------------------------- encoding

def _encode_digits(digits: str) -> bytes:
    if len(digits) % 2:
        digits += "F"
    return bytes(int(digits[i + 1], 16) << 4 | int(digits[i], 16)
                 for i in range(0, len(digits), 2))


def _split_number(number: str, field: str) -> tuple[int, str]:
    toa, digits = ((TOA_INTERNATIONAL, number[1:]) if number.startswith("+")
                   else (TOA_NATIONAL, number))
    if not digits or not digits.isdigit() or not digits.isascii() or len(digits) > 20:
        raise ValueError(f"{field}: {number!r} is not a phone number of 1-20 digits")
    return toa, digits


def _encode_address(number: str, field: str) -> bytes:
    """TP-DA / TP-OA: digit count, TOA, swapped BCD (F-padded)."""
    toa, digits = _split_number(number, field)
    return bytes([len(digits), toa]) + _encode_digits(digits)


def _encode_smsc(smsc: str | None) -> bytes:
    """SCA: octet count of TOA+BCD; ``00`` means "use the SIM's SMSC"."""
    if not smsc:
        return b"\x00"
    toa, digits = _split_number(smsc, "smsc")
    body = bytes([toa]) + _encode_digits(digits)
    return bytes([len(body)]) + body


def _encode_scts(ts: _dt.datetime) -> bytes:
    offset = ts.utcoffset() if ts.tzinfo is not None else None
    if offset is None:
        raise ValueError("timestamp must be timezone-aware")
    quarters = int(offset.total_seconds()) // 900
    if not -79 <= quarters <= 79:
        raise ValueError(f"timestamp: offset {offset} out of range")
    fields = [ts.year % 100, ts.month, ts.day, ts.hour, ts.minute, ts.second]
    out = bytearray((v % 10) << 4 | v // 10 for v in fields)
    q = abs(quarters)
    out.append((q % 10) << 4 | q // 10 | (0x08 if quarters < 0 else 0))
    return bytes(out)


def _split_payload(data: bytes, ref: int) -> list[tuple[bytes, bytes]]:
    """[(udh, chunk)]: one part without UDH, or concatenated parts (§6)."""
    if len(data) <= MAX_SINGLE:
        return [(b"", bytes(data))]
    if not 0 <= ref <= 0xFF:
        raise ValueError(f"ref: {ref} is not an 8-bit reference (0-255)")
    chunks = [bytes(data[i:i + MAX_PART]) for i in range(0, len(data), MAX_PART)]
    if len(chunks) > 255:
        raise ValueError(f"data: {len(data)} octets need more than 255 parts")
    return [(bytes([5, 0x00, 3, ref, len(chunks), seq]), chunk)
            for seq, chunk in enumerate(chunks, 1)]


def _user_data(udh: bytes, chunk: bytes) -> bytes:
    return bytes([len(udh) + len(chunk)]) + udh + chunk


def encode_submit(number: str, data: bytes, *, ref: int, smsc: str | None = None,
                  status_report: bool = False) -> list[tuple[bytes, int]]:
    """SMS-SUBMIT PDUs for ``data`` (DCS 0x04, VP 24 h), one per part.

    Returns ``[(pdu_bytes, tpdu_length)]``; ``tpdu_length`` is the octet count
    without the SCA, i.e. the ``<length>`` of ``AT+CMGS=<length>``.
    ``ref`` is the 8-bit concatenation reference (used only when split).
    """
    sca = _encode_smsc(smsc)
    da = _encode_address(number, "number")
    out = []
    for udh, chunk in _split_payload(data, ref):
        first = _MTI_SUBMIT | 0x10 | (_UDHI if udh else 0) | (0x20 if status_report else 0)
        tpdu = (bytes([first, 0x00]) + da + bytes([0x00, DCS_8BIT, VP_24H])
                + _user_data(udh, chunk))
        out.append((sca + tpdu, len(tpdu)))
    return out


def encode_deliver(sender: str, data: bytes, *, timestamp: _dt.datetime,
                   ref: int = 0, smsc: str | None = None) -> list[tuple[bytes, int]]:
    """SMS-DELIVER PDUs (DCS 0x04), one per part: ``[(pdu_bytes, tpdu_length)]``.

    ``tpdu_length`` is the ``<length>`` field of ``+CMGR:`` / ``+CMT:``.
    """
    sca = _encode_smsc(smsc)
    oa = _encode_address(sender, "sender")
    scts = _encode_scts(timestamp)
    out = []
    for udh, chunk in _split_payload(data, ref):
        first = 0x04 | (_UDHI if udh else 0) | _MTI_DELIVER
        tpdu = (bytes([first]) + oa + bytes([0x00, DCS_8BIT]) + scts
                + _user_data(udh, chunk))
        out.append((sca + tpdu, len(tpdu)))
    return out


# ---------------------------------------------------------------- decoding

class _Reader:
    """Bounds-checked cursor over a PDU; every overrun is a PduError."""

    def __init__(self, pdu: bytes) -> None:
        self.buf = bytes(pdu)
        self.pos = 0

    def take(self, n: int, field: str) -> bytes:
        if self.pos + n > len(self.buf):
            raise PduError(f"truncated: need {n} octets, {len(self.buf) - self.pos} left",
                           field=field, offset=self.pos)
        out = self.buf[self.pos:self.pos + n]
        self.pos += n
        return out

    def byte(self, field: str) -> int:
        return self.take(1, field)[0]

    def rest(self) -> bytes:
        out = self.buf[self.pos:]
        self.pos = len(self.buf)
        return out


def _decode_digits(octets: bytes, count: int | None, field: str, offset: int) -> str:
    """Swapped-BCD digits; ``count=None`` takes every digit up to the F filler."""
    digits = []
    for octet in octets:
        for nibble in (octet & 0x0F, octet >> 4):
            if nibble == 0x0F:
                continue
            digits.append(_BCD_DIGITS[nibble])
    if count is None:
        return "".join(digits)
    if len(digits) < count:
        raise PduError(f"address has {len(digits)} digits, expected {count}",
                       field=field, offset=offset)
    return "".join(digits[:count])


def _read_smsc(r: _Reader) -> str | None:
    n = r.byte("sca length")
    if n == 0:
        return None
    if n > 11:
        raise PduError(f"SMSC address length {n} > 11", field="sca length", offset=0)
    body = r.take(n, "sca")
    return _format_number(body[0], _decode_digits(body[1:], None, "sca", 1))


def _format_number(toa: int, digits: str) -> str:
    return "+" + digits if toa & 0x70 == 0x10 else digits


def _read_address(r: _Reader, field: str) -> str:
    start = r.pos
    count = r.byte(field + " length")
    toa = r.byte(field + " type")
    if count > 20:
        raise PduError(f"address length {count} > 20", field=field, offset=start)
    octets = r.take((count + 1) // 2, field)
    if toa & 0x70 == 0x50:                       # alphanumeric, GSM 7-bit packed
        return _unpack_text(octets, count * 4 // 7, 0)
    return _format_number(toa, _decode_digits(octets, count, field, start + 2))


def _bcd(octet: int, field: str, offset: int) -> int:
    lo, hi = octet & 0x0F, octet >> 4
    if lo > 9 or hi > 9:
        raise PduError(f"bad BCD octet 0x{octet:02X}", field=field, offset=offset)
    return lo * 10 + hi


def _read_scts(r: _Reader) -> _dt.datetime:
    start = r.pos
    raw = r.take(7, "scts")
    yy, mo, dd, hh, mi, ss = (_bcd(b, "scts", start + i) for i, b in enumerate(raw[:6]))
    tz = raw[6]
    quarters = _bcd(tz & 0xF7, "scts timezone", start + 6)
    if tz & 0x08:
        quarters = -quarters
    try:
        zone = _dt.timezone(_dt.timedelta(minutes=15 * quarters))
        return _dt.datetime(2000 + yy, mo, dd, hh, mi, ss, tzinfo=zone)
    except ValueError as exc:
        raise PduError(f"bad timestamp: {exc}", field="scts", offset=start) from None


def _unpack_septets(octets: bytes, count: int, skip_bits: int) -> list[int]:
    value = int.from_bytes(octets, "little")
    return [(value >> (skip_bits + 7 * i)) & 0x7F for i in range(count)]


def _unpack_text(octets: bytes, count: int, skip_bits: int) -> str:
    return "".join(_GSM7[s] for s in _unpack_septets(octets, count, skip_bits))


def _alphabet(dcs: int) -> str:
    """'gsm7', '8bit' or 'ucs2' (23.038 §4); compressed or reserved -> PduError."""
    group = dcs >> 4
    if group <= 0x07:                            # 00xx / 01xx general data coding
        if dcs & 0x20:
            raise PduError(f"compressed DCS 0x{dcs:02X} unsupported", field="dcs")
        return ("gsm7", "8bit", "ucs2", "reserved")[(dcs >> 2) & 3]
    if group == 0x0F:
        return "8bit" if dcs & 0x04 else "gsm7"
    if group in (0x0C, 0x0D):
        return "gsm7"
    if group == 0x0E:
        return "ucs2"
    return "reserved"


def _parse_udh(udh: bytes, offset: int) -> tuple[int, int, int] | None:
    """Concatenation info from the UDH information elements (IEI 0x00 / 0x08)."""
    pos = 0
    concat = None
    while pos < len(udh):
        if pos + 2 > len(udh):
            raise PduError("truncated UDH element", field="udh", offset=offset + pos)
        iei, ielen = udh[pos], udh[pos + 1]
        body = udh[pos + 2:pos + 2 + ielen]
        if len(body) != ielen:
            raise PduError("UDH element runs past the header", field="udh",
                           offset=offset + pos)
        if iei == 0x00 and ielen == 3:
            concat = (body[0], body[1], body[2])
        elif iei == 0x08 and ielen == 4:
            concat = (body[0] << 8 | body[1], body[2], body[3])
        pos += 2 + ielen
    if concat is not None and not 1 <= concat[2] <= concat[1]:
        raise PduError(f"concatenation seq {concat[2]} of {concat[1]}", field="udh",
                       offset=offset)
    return concat


def _read_user_data(r: _Reader, first: int, dcs: int
                    ) -> tuple[bytes, tuple[int, int, int] | None, str | None]:
    """(data, concat, text) from TP-UDL + TP-UD."""
    alphabet = _alphabet(dcs)
    if alphabet == "reserved":
        raise PduError(f"reserved DCS 0x{dcs:02X}", field="dcs", offset=r.pos - 1)
    udl_at = r.pos
    udl = r.byte("udl")
    octet_len = (udl * 7 + 7) // 8 if alphabet == "gsm7" else udl
    if octet_len > MAX_SINGLE:
        raise PduError(f"user data length {udl} too long", field="udl", offset=udl_at)
    ud = r.take(octet_len, "ud")
    if r.pos != len(r.buf):
        raise PduError(f"{len(r.buf) - r.pos} trailing octets", field="ud", offset=r.pos)
    udh_len = 0
    concat = None
    if first & _UDHI:
        if not ud or ud[0] + 1 > len(ud):
            raise PduError("UDH longer than user data", field="udhl", offset=udl_at + 1)
        udh_len = ud[0] + 1
        concat = _parse_udh(ud[1:udh_len], udl_at + 2)
    if alphabet == "gsm7":
        skip = udh_len * 8 + (-(udh_len * 8)) % 7
        count = udl - skip // 7
        if count < 0:
            raise PduError("UDH longer than user data", field="udl", offset=udl_at)
        septets = _unpack_septets(ud, count, skip)
        return bytes(septets), concat, "".join(_GSM7[s] for s in septets)
    data = ud[udh_len:]
    if alphabet == "ucs2":
        return data, concat, data.decode("utf-16-be", errors="replace")
    return data, concat, None


def decode_deliver(pdu: bytes) -> SmsDeliver:
    """Decode an SMS-DELIVER PDU including its SCA octets (as ``AT+CMGR`` gives it)."""
    r = _Reader(pdu)
    smsc = _read_smsc(r)
    first_at = r.pos
    first = r.byte("first octet")
    if first & 0x03 != _MTI_DELIVER:
        raise PduError(f"not an SMS-DELIVER (MTI {first & 3})", field="first octet",
                       offset=first_at)
    sender = _read_address(r, "originator")
    r.byte("pid")
    dcs = r.byte("dcs")
    timestamp = _read_scts(r)
    data, concat, text = _read_user_data(r, first, dcs)
    return SmsDeliver(sender=sender, data=data, timestamp=timestamp, concat=concat,
                      dcs=dcs, text=text, smsc=smsc)


_VP_LENGTH = {0: 0, 1: 7, 2: 1, 3: 7}   # TP-VPF (bits 4-3): none, enhanced, relative, absolute


def decode_submit(pdu: bytes) -> SmsSubmit:
    """Decode an SMS-SUBMIT PDU including its SCA octets (as written after ``AT+CMGS``)."""
    r = _Reader(pdu)
    smsc = _read_smsc(r)
    first_at = r.pos
    first = r.byte("first octet")
    if first & 0x03 != _MTI_SUBMIT:
        raise PduError(f"not an SMS-SUBMIT (MTI {first & 3})", field="first octet",
                       offset=first_at)
    mr = r.byte("message reference")
    number = _read_address(r, "destination")
    r.byte("pid")
    dcs = r.byte("dcs")
    r.take(_VP_LENGTH[(first >> 3) & 3], "validity period")
    data, concat, _text = _read_user_data(r, first, dcs)
    return SmsSubmit(number=number, data=data, concat=concat, dcs=dcs, smsc=smsc,
                     status_report=bool(first & 0x20), message_ref=mr)


# ---------------------------------------------------------------- reassembly

@attrs.define
class _Pending:
    first_seen: float
    parts: dict[int, SmsDeliver]


class Reassembler:
    """Joins concatenated SMS parts; bounded in messages pending and in age.

    ``feed(part, now)`` returns the whole message (``concat=None``) once every
    part is there, else ``None``. A message still incomplete ``max_age`` seconds
    after its first part is dropped, and so is the oldest one when more than
    ``max_pending`` are pending (``dropped`` counts both).
    """

    def __init__(self, *, max_pending: int = 8, max_age: float = 3600.0) -> None:
        self.max_pending = max_pending
        self.max_age = max_age
        self.dropped = 0
        self._pending: dict[tuple[str, int, int], _Pending] = {}

    def __len__(self) -> int:
        return len(self._pending)

    def expire(self, now: float) -> None:
        """Drop messages whose first part came more than ``max_age`` ago."""
        for key, entry in list(self._pending.items()):
            if now - entry.first_seen > self.max_age:
                del self._pending[key]
                self.dropped += 1

    def feed(self, part: SmsDeliver, now: float) -> SmsDeliver | None:
        self.expire(now)
        if part.concat is None or part.concat[1] == 1:
            return attrs.evolve(part, concat=None)
        ref, total, seq = part.concat
        key = (part.sender, ref, total)
        entry = self._pending.get(key)
        if entry is None:
            while len(self._pending) >= self.max_pending:
                oldest = min(self._pending, key=lambda k: self._pending[k].first_seen)
                del self._pending[oldest]
                self.dropped += 1
            entry = self._pending[key] = _Pending(now, {})
        entry.parts[seq] = part
        if len(entry.parts) < total:
            return None
        del self._pending[key]
        parts = [entry.parts[i] for i in range(1, total + 1)]
        text = (None if any(p.text is None for p in parts)
                else "".join(p.text or "" for p in parts))
        return attrs.evolve(parts[0], data=b"".join(p.data for p in parts),
                            concat=None, text=text)
