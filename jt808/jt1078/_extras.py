"""JT/T 1078-2016 0x0200 extras 0x14-0x18 (table 14), registered with ``register_extra``."""
from __future__ import annotations

import struct
from typing import ClassVar

import attrs

from ..codec import Extra, register_extra
from ..frame import Version

__all__ = ["VideoAlarms", "VideoSignalLoss", "VideoOcclusion", "StorageFault",
           "AbnormalDriving", "EXTRA_CLASSES"]

# >I: one DWORD; >H: one WORD; >HB: behaviour WORD + fatigue level BYTE
_DWORD = struct.Struct(">I")
_WORD = struct.Struct(">H")
_DRIVING = struct.Struct(">HB")


@attrs.frozen(slots=True)
class _Dword(Extra):
    flags: int
    SIZE: ClassVar[int] = 4

    def encode_value(self, version: Version) -> bytes:
        return _DWORD.pack(self.flags)

    @classmethod
    def decode_value(cls, data: bytes, version: Version):
        return cls(_DWORD.unpack(data)[0])


@attrs.frozen(slots=True)
class VideoAlarms(_Dword):
    """0x14: video alarm flags (bit 0 signal loss, 1 occlusion, 2 storage fault, 3 other
    device fault, 4 overload, 5 abnormal driving, 6 storage threshold)."""
    EXTRA_ID: ClassVar[int] = 0x14


@attrs.frozen(slots=True)
class VideoSignalLoss(_Dword):
    """0x15: bit n set = logical channel n+1 lost its video signal."""
    EXTRA_ID: ClassVar[int] = 0x15


@attrs.frozen(slots=True)
class VideoOcclusion(_Dword):
    """0x16: bit n set = logical channel n+1 is occluded."""
    EXTRA_ID: ClassVar[int] = 0x16


@attrs.frozen(slots=True)
class StorageFault(Extra):
    """0x17: bits 0-11 main storage units, 12-15 disaster backup units, set = fault."""
    EXTRA_ID: ClassVar[int] = 0x17
    SIZE: ClassVar[int] = 2
    flags: int

    def encode_value(self, version: Version) -> bytes:
        return _WORD.pack(self.flags)

    @classmethod
    def decode_value(cls, data: bytes, version: Version) -> "StorageFault":
        return cls(_WORD.unpack(data)[0])


@attrs.frozen(slots=True)
class AbnormalDriving(Extra):
    """0x18: behaviour bits (0 fatigue, 1 phoning, 2 smoking) and fatigue level 0-100."""
    EXTRA_ID: ClassVar[int] = 0x18
    SIZE: ClassVar[int] = 3
    behaviour: int
    fatigue_level: int

    def encode_value(self, version: Version) -> bytes:
        return _DRIVING.pack(self.behaviour, self.fatigue_level)

    @classmethod
    def decode_value(cls, data: bytes, version: Version) -> "AbnormalDriving":
        return cls(*_DRIVING.unpack(data))


EXTRA_CLASSES = (VideoAlarms, VideoSignalLoss, VideoOcclusion, StorageFault, AbnormalDriving)
for _cls in EXTRA_CLASSES:
    register_extra(_cls)
del _cls
