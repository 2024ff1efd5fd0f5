"""H.264 access units and an Annex B splitter (ITU-T H.264 §7.4.1.2.3, Annex B).

An access unit is one coded picture with the parameter sets and SEI before it. A new
unit starts at an access unit delimiter (NAL type 9), SPS (7), PPS (8) or SEI (6) after
a slice, or at a slice (1, 5) whose ``first_mb_in_slice`` is 0 (its first header bit is 1).
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["AccessUnit", "AnnexBSplitter", "split_access_units", "nal_types"]

_START = b"\x00\x00\x01"
_SLICES = (1, 5)
_STARTS_UNIT = (6, 7, 8, 9)
_MAX_PENDING = 8 << 20   # an access unit bigger than this is cut (bounded memory)


@dataclass(frozen=True, slots=True)
class AccessUnit:
    """One H.264 picture (Annex B bytes, start codes included) or one audio frame."""

    data: bytes
    timestamp: int          # ms from the start of the source
    keyframe: bool = False


def _nal_starts(data: bytes | bytearray) -> list[int]:
    """Offsets of each NAL header byte (just after a 00 00 01 start code)."""
    starts, at = [], data.find(_START)
    while at >= 0:
        starts.append(at + 3)
        at = data.find(_START, at + 3)
    return starts


def nal_types(unit: bytes) -> list[int]:
    """NAL unit types in one access unit, in order."""
    return [unit[i] & 0x1F for i in _nal_starts(unit) if i < len(unit)]


class AnnexBSplitter:
    """Feed Annex B bytes in any chunking; whole access units come out.

    A unit is only complete when the next one begins, so ``flush()`` returns the last.
    """

    def __init__(self) -> None:
        self._buf = bytearray()
        self._scan_from = 0        # NAL headers before this offset are already examined
        self._seen_slice = False   # the pending unit already holds a slice

    def feed(self, data: bytes) -> list[bytes]:
        self._buf += data
        buf = self._buf
        units: list[bytes] = []
        cut_from = 0
        at = buf.find(_START, self._scan_from)
        while at >= 0:
            nal = at + 3
            if nal + 1 >= len(buf):            # header byte(s) not here yet
                break
            kind = buf[nal] & 0x1F
            begins = kind in _STARTS_UNIT or (kind in _SLICES and buf[nal + 1] & 0x80)
            if begins and self._seen_slice:
                start = _code_start(buf, nal)
                units.append(bytes(buf[cut_from:start]))
                cut_from = start
                self._seen_slice = False
            if kind in _SLICES:
                self._seen_slice = True
            at = buf.find(_START, nal)
        self._scan_from = (at if at >= 0 else max(len(buf) - 2, 0))
        if cut_from:
            del buf[:cut_from]
            self._scan_from -= cut_from
        if len(buf) > _MAX_PENDING:
            units.append(bytes(buf))
            buf.clear()
            self._scan_from = 0
            self._seen_slice = False
        return units

    def flush(self) -> list[bytes]:
        rest, self._buf = bytes(self._buf), bytearray()
        self._scan_from = 0
        self._seen_slice = False
        return [rest] if rest and _nal_starts(rest) else []


def _code_start(buf: bytearray, nal: int) -> int:
    """Where the start code before ``nal`` begins (4-byte 00 00 00 01 or 3-byte)."""
    start = nal - 3
    return start - 1 if start > 0 and buf[start - 1] == 0 else start


def split_access_units(data: bytes) -> list[bytes]:
    """All access units of a whole Annex B stream."""
    splitter = AnnexBSplitter()
    return splitter.feed(data) + splitter.flush()
