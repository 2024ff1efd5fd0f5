"""What the demo's terminal is and sends."""
from __future__ import annotations

from ..frame import Version

__all__ = ["PHONE", "PHOTO", "PHOTO_PACKET", "DROPPED_PACKET", "VERSION"]

VERSION = Version.V2019                 # the CLI's one default protocol version

PHONE = "13800138000"
PHOTO = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 7 + b"\xff\xd9"   # a fake JPEG, 1798 bytes
PHOTO_PACKET = 400                                                  # body bytes per packet
DROPPED_PACKET = 3                                                  # lost once on purpose
