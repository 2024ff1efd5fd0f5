"""RSA both ways with real key pairs, and reassembly bounds under hostile streams."""
from __future__ import annotations

import gc
import os
import tracemalloc

import pytest
from session_pair import SessionPair

from jt808.codec import PlatformRsaKey, RawMessage, TerminalRsaKey, encode_body
from jt808.errors import DecryptionError
from jt808.frame import Frame, Header, Version, pack, unpack
from jt808.session import (RsaKeyPair, MessageReceived, PeerKeyReceived,
                           PlatformSession, ProtocolErrorReceived, ReassemblyLimits,
                           decrypt_body, encrypt_body)


@pytest.fixture(scope="module")
def keys():
    return RsaKeyPair(), RsaKeyPair()


def _exchange_keys(pair: SessionPair, keys) -> None:
    terminal_key, platform_key = keys
    pair.terminal.rsa_key, pair.platform.rsa_key = terminal_key, platform_key
    pair.platform.send(PlatformRsaKey(platform_key.e, platform_key.n_bytes), pair.now)
    pair.terminal.send(TerminalRsaKey(terminal_key.e, terminal_key.n_bytes), pair.now)
    pair.pump()
    assert any(isinstance(e, PeerKeyReceived) for e in pair.events(pair.terminal))
    assert any(isinstance(e, PeerKeyReceived) for e in pair.events(pair.platform))


def test_body_of_2000_bytes_encrypted_whole_and_decrypted(keys):
    pair = SessionPair()
    pair.login()
    _exchange_keys(pair, keys)
    pair.terminal.encrypt = True
    body = b"\x01" + os.urandom(1999)                # 0x0900 pass-through: type + data
    pair.terminal.send(RawMessage(0x0900, body), pair.now)
    frames = pair.terminal.datagrams_to_send()
    headers = [unpack(f).header for f in frames]
    assert all(h.encryption == 1 for h in headers)
    assert sum(len(unpack(f).body) for f in frames) == 18 * 128   # ceil(2000/117) blocks
    assert body not in b"".join(unpack(f).body for f in frames)
    for frame in frames:
        pair.platform.receive_data(frame, pair.now)
    [got] = [e for e in pair.events(pair.platform) if isinstance(e, MessageReceived)]
    assert encode_body(got.message) == body


def test_platform_encrypts_downlink_when_asked(keys):
    pair = SessionPair()
    pair.login()
    _exchange_keys(pair, keys)
    pair.platform.encrypt = True
    pair.platform.encrypt_ids = frozenset({0x8F01})
    pair.platform.send(RawMessage(0x8F01, b"secret"), pair.now)
    [frame] = pair.platform.datagrams_to_send()
    assert unpack(frame).header.encryption == 1
    pair.terminal.receive_data(frame, pair.now)
    [got] = [e for e in pair.events(pair.terminal) if isinstance(e, MessageReceived)]
    assert got.message == RawMessage(0x8F01, b"secret")


def test_encrypted_body_without_our_key_is_a_typed_error(keys):
    pair = SessionPair()
    pair.login()
    cipher = encrypt_body(b"hello", keys[0].private_key.public_key())
    frame = pack(Frame(Header(0x0F01, "1", 1, Version.V2013, encryption=1), cipher))
    pair.platform.receive_data(frame, pair.now)
    [error] = [e for e in pair.events(pair.platform) if isinstance(e, ProtocolErrorReceived)]
    assert isinstance(error.error, DecryptionError) and "no RSA key" in str(error.error)


def test_decrypt_rejects_partial_blocks(keys):
    with pytest.raises(DecryptionError, match="not a whole number of 128-byte blocks"):
        decrypt_body(b"x" * 100, keys[0].private_key)
    # OpenSSL's implicit rejection may turn a bad block into random bytes instead of an
    # error; either way nothing but a jt808 error may come out.
    try:
        assert isinstance(decrypt_body(bytes(128), keys[0].private_key), bytes)
    except DecryptionError as exc:
        assert "RSA decryption failed" in str(exc)


def _hostile_packet(msg_id: int, serial: int, total: int, index: int, piece: bytes) -> bytes:
    return pack(Frame(Header(msg_id, "1", serial, packet=(total, index)), piece))


def test_hostile_totals_do_not_grow_memory():
    """65535-packet messages of 1 byte and 10,000 distinct messages stay within bounds.

    Memory is what the library holds (allocations made in ``jt808`` code and still
    alive), sampled during the attack: the process-wide peak would also count whatever
    threads and finalizers left over from other tests allocate meanwhile.
    """
    limits = ReassemblyLimits(max_packets=4096, max_bytes=64 * 1024, max_messages=8)
    session = PlatformSession(limits=limits)
    gc.collect()
    tracemalloc.start()
    try:
        samples = [_library_bytes() for _ in _attack(session, rounds=10_000, every=1_000)]
    finally:
        tracemalloc.stop()
    assert len(session.reassembler.partials) <= 8
    assert max(samples) < 2 * 1024 * 1024, samples


def _library_bytes() -> int:
    only_ours = [tracemalloc.Filter(True, "*/jt808/*")]
    snapshot = tracemalloc.take_snapshot().filter_traces(only_ours)
    return sum(stat.size for stat in snapshot.statistics("filename"))


def _attack(session: PlatformSession, rounds: int, every: int):
    """Feed the hostile stream; yield every ``every`` rounds (to take a sample)."""
    for serial in range(rounds):
        session.receive_data(_hostile_packet(0x0F01, serial, 60_000, 1, b"x"), 0.0)
        session.receive_data(_hostile_packet(0x0F02, serial, 4000, 1, b"y" * 100), 0.0)
        while session.next_event() is not None:
            pass
        session.datagrams_to_send()
        if serial % every == every - 1:
            yield serial


def test_message_over_byte_limit_is_dropped_with_event():
    limits = ReassemblyLimits(max_bytes=2000)
    session = PlatformSession(limits=limits)
    for index in range(1, 4):
        session.receive_data(_hostile_packet(0x0F01, index, 10, index, b"z" * 1000), 0.0)
    events = []
    while (event := session.next_event()) is not None:
        events.append(event)
    assert any("exceeds 2000 bytes" in getattr(e, "reason", "") for e in events)
