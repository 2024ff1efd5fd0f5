"""A tiny baseline JPEG writer for flat grey images (no dependency, any size).

Every 8x8 block of a flat image has one DC coefficient and no AC energy, so the
scan is: first block ``DC category + magnitude + EOB``, every other block
``DC diff 0 + EOB`` (ITU-T T.81 F.1.2). The quantisation table is all ones, so the
quantised DC is ``8 * (level - 128)`` (T.81 A.3.3 FDCT, level shift A.3.1).
"""
from __future__ import annotations

import struct

__all__ = ["flat_jpeg"]

SOI, EOI = b"\xff\xd8", b"\xff\xd9"


def _segment(marker: int, payload: bytes) -> bytes:
    # FF <marker> | length WORD (includes itself) | payload
    return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload


def _huffman_table(table_class: int, symbols: tuple[int, int]) -> bytes:
    # Tc/Th | BITS[16] (two codes of length 2: '00', '01') | HUFFVAL
    bits = bytes([0, 2] + [0] * 14)
    return bytes([table_class << 4]) + bits + bytes(symbols)


def _scan(blocks: int, dc: int) -> bytes:
    """Entropy-coded data: codes '00' = first symbol, '01' = second symbol."""
    category = abs(dc).bit_length()
    magnitude = dc if dc >= 0 else dc + (1 << category) - 1
    bits = ["01" + format(magnitude, f"0{category}b") if category else "00", "00"]
    bits.append("0000" * (blocks - 1))
    stream = "".join(bits)
    stream += "1" * (-len(stream) % 8)                      # pad with 1-bits (T.81 F.1.2.3)
    data = int(stream, 2).to_bytes(len(stream) // 8, "big")
    return data.replace(b"\xff", b"\xff\x00")                # byte stuffing (F.1.2.3)


def flat_jpeg(width: int, height: int, level: int = 128, comment: str = "") -> bytes:
    """A valid greyscale baseline JPEG of ``width`` x ``height``, every pixel ``level``."""
    if not (0 < width <= 0xFFFF and 0 < height <= 0xFFFF and 0 <= level <= 255):
        raise ValueError("width/height must be 1..65535 and level 0..255")
    dc = 8 * (level - 128)
    category = abs(dc).bit_length()
    blocks = -(-width // 8) * -(-height // 8)
    parts = [
        SOI,
        _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"),  # APP0 JFIF 1.1
        _segment(0xFE, comment.encode("ascii", "replace")) if comment else b"",
        _segment(0xDB, b"\x00" + b"\x01" * 64),                            # DQT 0, all ones
        # SOF0: precision 8 | height | width | 1 component: id 1, 1x1 sampling, table 0
        _segment(0xC0, struct.pack(">BHHB3B", 8, height, width, 1, 1, 0x11, 0)),
        _segment(0xC4, _huffman_table(0, (0, category or 1))),             # DHT DC 0
        _segment(0xC4, _huffman_table(1, (0x00, 0x01))),                   # DHT AC 0: EOB
        _segment(0xDA, bytes([1, 1, 0x00, 0, 63, 0])),                     # SOS
        _scan(blocks, dc),
        EOI,
    ]
    return b"".join(parts)
