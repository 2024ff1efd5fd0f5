"""Fuzz ``jt808.codec.decode_body``: only ``JT808Error`` subclasses may come out.

Every ``(version, msg_id)`` in ``MESSAGES`` plus unknown ids, with random bodies and
with mutated valid bodies (flip, truncate, extend, length/count bytes set to 0xFF).
"""
from __future__ import annotations

from pathlib import Path

import pytest
from fuzz_support import (MESSAGE_KEYS, SMALLCHI, UNKNOWN_IDS, mutate, mutations, valid_bodies,
                          vector_bodies)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jt808.codec import MESSAGES, RawMessage, decode_body, encode_body
from jt808.errors import JT808Error
from jt808.frame import Version

FUZZ = settings(max_examples=300, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


def decode_or_peer_error(msg_id: int, body: bytes, version: Version) -> None:
    """Decode; a decoded message must re-encode without a non-library error."""
    try:
        message = decode_body(msg_id, body, version)
    except JT808Error:
        return
    try:
        encode_body(message, version)
    except JT808Error:
        pass


def test_seeds_come_from_the_vectors_in_the_repo():
    """The SmallChi bodies are read from ``tests/vectors`` inside the repo: most ids
    have one, so the mutations start from real packets, not only from zeros."""
    assert SMALLCHI.parent == Path(__file__).resolve().parents[1] / "vectors"
    with_vectors = {msg_id for _, msg_id in MESSAGE_KEYS} & set(vector_bodies())
    assert len(with_vectors) >= 60


def _key_ids(key) -> str:
    return f"{key[0].value}-0x{key[1]:04X}"


@pytest.mark.parametrize("key", MESSAGE_KEYS, ids=[_key_ids(k) for k in MESSAGE_KEYS])
def test_every_message_survives_systematic_mutations(key):
    """Each seed truncated at every byte, each byte set to 0xFF / 0x00, and extended."""
    version, msg_id = key
    seeds = valid_bodies()[key]
    assert seeds, "no valid body could be built for this message"
    for seed in seeds:
        for cut in range(len(seed)):
            decode_or_peer_error(msg_id, seed[:cut], version)
        for pos in range(len(seed)):
            for value in (0xFF, 0x00, seed[pos] ^ 0x80):
                decode_or_peer_error(msg_id, seed[:pos] + bytes([value]) + seed[pos + 1:],
                                     version)
        for tail in (b"\x00", b"\xff" * 7, bytes(300)):
            decode_or_peer_error(msg_id, seed + tail, version)


@FUZZ
@given(key=st.sampled_from(MESSAGE_KEYS), body=st.binary(max_size=300))
def test_random_bodies(key, body):
    version, msg_id = key
    decode_or_peer_error(msg_id, body, version)


@FUZZ
@given(key=st.sampled_from(MESSAGE_KEYS), data=st.data(), ops=mutations)
def test_mutated_valid_bodies(key, data, ops):
    version, msg_id = key
    seed = data.draw(st.sampled_from(valid_bodies()[key]))
    decode_or_peer_error(msg_id, mutate(seed, ops), version)


@settings(max_examples=100, deadline=None)
@given(msg_id=st.sampled_from(UNKNOWN_IDS) | st.integers(0, 0xFFFF),
       version=st.sampled_from(list(Version)), body=st.binary(max_size=200))
def test_unknown_ids_give_raw_messages(msg_id, version, body):
    if (version, msg_id) in MESSAGES:
        decode_or_peer_error(msg_id, body, version)
        return
    message = decode_body(msg_id, body, version)
    assert message == RawMessage(msg_id, body)
    assert encode_body(message, version) == body
