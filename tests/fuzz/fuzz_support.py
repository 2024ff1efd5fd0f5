"""Seeds and mutators shared by the hypothesis fuzz tests.

Valid bodies come from the SmallChi vectors (``tests/vectors/smallchi.jsonl``; a missing
file fails the tests) and from short all-zero bodies that decode; each one is
re-encoded so the seed is exactly what our encoder produces.
"""
from __future__ import annotations

import functools
import json
from pathlib import Path

from hypothesis import strategies as st

from jt808.codec import MESSAGES, decode_body, encode_body
from jt808.errors import JT808Error
from jt808.frame import unpack

SMALLCHI = Path(__file__).resolve().parents[1] / "vectors" / "smallchi.jsonl"
MESSAGE_KEYS = sorted(MESSAGES, key=lambda key: (key[0].value, key[1]))
#: Ids no version of the codec knows (decode_body must give a RawMessage).
UNKNOWN_IDS = (0x0000, 0x0FFF, 0x1234, 0x7E7E, 0x7D7D, 0xFFFF)
SEEDS_PER_KEY = 4


@functools.cache
def vector_bodies() -> dict[int, list[bytes]]:
    """msg_id -> message bodies found in the SmallChi vectors."""
    bodies: dict[int, list[bytes]] = {}
    for line in SMALLCHI.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        body = _record_body(record)
        if body is not None and record.get("msg_id") is not None:
            bodies.setdefault(record["msg_id"], []).append(body)
    return bodies


def _record_body(record: dict) -> bytes | None:
    try:
        raw = bytes.fromhex(record["hex"])
        if record.get("scope") == "body":
            return raw
        if record.get("scope") == "frame":
            return unpack(raw).body
    except (ValueError, KeyError, JT808Error):
        return None
    return None


@functools.cache
def valid_bodies() -> dict[tuple, list[bytes]]:
    """(version, msg_id) -> up to SEEDS_PER_KEY bodies our encoder produced."""
    out: dict[tuple, list[bytes]] = {}
    zeros = [bytes(n) for n in range(0, 48)]
    for version, msg_id in MESSAGE_KEYS:
        seeds: list[bytes] = []
        for body in [*vector_bodies().get(msg_id, []), *zeros]:
            try:
                encoded = encode_body(decode_body(msg_id, body, version), version)
            except JT808Error:
                continue
            if encoded not in seeds:
                seeds.append(encoded)
            if len(seeds) >= SEEDS_PER_KEY:
                break
        out[(version, msg_id)] = seeds
    return out


# -- mutators -------------------------------------------------------------------------

def _flip(data: bytearray, pos: int, value: int) -> None:
    if data:
        data[pos % len(data)] ^= value or 1


def _set_ff(data: bytearray, pos: int, value: int) -> None:
    if data:   # a length or count byte claiming the most it can
        data[pos % len(data)] = 0xFF


def _set(data: bytearray, pos: int, value: int) -> None:
    if data:
        data[pos % len(data)] = value


def _truncate(data: bytearray, pos: int, value: int) -> None:
    del data[pos % (len(data) + 1):]


def _extend(data: bytearray, pos: int, value: int) -> None:
    data.extend(bytes([value]) * (pos % 16 + 1))


def _insert(data: bytearray, pos: int, value: int) -> None:
    data.insert(pos % (len(data) + 1), value)


def _delete(data: bytearray, pos: int, value: int) -> None:
    if data:
        del data[pos % len(data)]


MUTATORS = (_flip, _set_ff, _set, _truncate, _extend, _insert, _delete)
mutations = st.lists(st.tuples(st.sampled_from(MUTATORS), st.integers(0, 4096),
                               st.integers(0, 255)), min_size=1, max_size=6)


def mutate(data: bytes, ops) -> bytes:
    buf = bytearray(data)
    for op, pos, value in ops:
        op(buf, pos, value)
    return bytes(buf)
