"""Fault state the tests switch on; the simulator consults it at each step."""
from __future__ import annotations

import attrs

__all__ = ["Faults", "garble"]


@attrs.define
class Faults:
    send_fail: int = 0                 # answer SEND FAIL for this many sends
    reply_delay: float = 0.0           # seconds before each command reply
    garble_next: bool = False          # corrupt one byte of the next AT output
    open_fail_code: int | None = None  # +QIOPEN: id,<code> for the next opens
    open_fail_count: int = 0

    def take_send_fail(self) -> bool:
        if self.send_fail <= 0:
            return False
        self.send_fail -= 1
        return True

    def take_open_fail(self) -> int | None:
        if self.open_fail_count <= 0 or self.open_fail_code is None:
            return None
        self.open_fail_count -= 1
        return self.open_fail_code


def garble(data: bytes) -> bytes:
    """Flip the low bit of the first byte that is not CR/LF (or of the last byte)."""
    index = next((i for i, b in enumerate(data) if b not in (0x0D, 0x0A)), len(data) - 1)
    out = bytearray(data)
    out[index] ^= 0x01
    return bytes(out)
