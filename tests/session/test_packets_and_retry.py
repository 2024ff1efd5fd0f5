"""Unit tests of the subpacket store, the reassembler and the retry policy at their edges.

Written to kill the mutants ``tools/mutation.py`` found alive (``docs/mutation.md``):
the bounds of the limits (``>`` vs ``>=``), which end an eviction takes, index-from-1
arithmetic, the retry parameters per bearer and T(N+1) = T(N) x (N+1) (JT/T 808-2013 §6).
"""
from __future__ import annotations

import pytest

from jt808.session._packets import (Reassembler, ReassemblyLimits, SentMessage, SentStore,
                                    split_body)
from jt808.session._retry import LINK_PARAM_DEFAULTS, RetryPolicy

# -- split_body ----------------------------------------------------------------------


@pytest.mark.parametrize("length, sizes", [
    (0, [0]), (1, [1]), (1023, [1023]), (1024, [1023, 1]), (2046, [1023, 1023]),
    (2047, [1023, 1023, 1])])
def test_split_body_sizes(length, sizes):
    body = bytes(range(256)) * 8
    pieces = split_body(body[:length], 1023)
    assert [len(p) for p in pieces] == sizes
    assert b"".join(pieces) == body[:length]


# -- SentStore -------------------------------------------------------------------------

def _sent(first: int, count: int = 3, at: float = 0.0, media_id: int | None = None):
    serials = [(first + i) & 0xFFFF for i in range(count)]
    return SentMessage(0x0801, serials, [b"frame-%d" % s for s in serials], at, media_id)


def test_store_keeps_max_messages_and_drops_the_oldest():
    store = SentStore(max_messages=2)
    store.add(_sent(10))
    store.add(_sent(20))
    assert len(store) == 2
    store.add(_sent(30))
    assert len(store) == 2
    assert _frames(store, 10, ()) == []                 # the oldest went
    assert _frames(store, 20, ()) and _frames(store, 30, ())


def test_store_defaults():
    store = SentStore()
    assert (store.max_messages, store.max_age) == (16, 600.0)
    for n in range(17):
        store.add(_sent(100 * n, at=0.0))
    assert len(store) == 16
    store.expire(600.0)
    assert len(store) == 16                               # exactly max_age: kept
    store.expire(600.5)
    assert len(store) == 0


def test_store_expire_drops_only_the_old_ones():
    store = SentStore(max_age=10.0)
    store.add(_sent(1, at=0.0))
    store.add(_sent(10, at=5.0))
    store.expire(10.0)
    assert len(store) == 2
    store.expire(12.0)
    assert len(store) == 1 and _frames(store, 10, ()) and not _frames(store, 1, ())
    store.expire(100.0)
    assert len(store) == 0


def _frames(store, first, ids):
    return store.resend(first, ids, 0.0)[0]


def test_store_resend_reads_ids_as_serials_and_as_indexes():
    store = SentStore()
    store.add(_sent(0xFFFE, count=4))                     # serials wrap: FFFE FFFF 0000 0001
    assert _frames(store, 0xFFFE, ()) == [b"frame-65534", b"frame-65535", b"frame-0",
                                             b"frame-1"]
    assert _frames(store, 0xFFFE, (0x0000, 0xFFFF, 0x1234)) == [b"frame-65535", b"frame-0"]
    # a peer may name any packet's serial as the first one; 0x0001 is then read both as
    # the serial of packet 4 and as packet index 1 (issue 11: both dialects are served)
    assert _frames(store, 0x0000, (0x0001,)) == [b"frame-65534", b"frame-1"]
    assert _frames(store, 0x4000, ()) == []


def test_store_by_media_id_indexes_from_one():
    store = SentStore()
    store.add(_sent(50, count=3, media_id=7))
    assert store.by_media_id(7, (1, 3)) == [b"frame-50", b"frame-52"]
    assert store.by_media_id(7, (0, 4, 2)) == [b"frame-51"]
    assert store.by_media_id(8, (1,)) == []


def test_store_by_media_id_takes_the_latest_upload():
    store = SentStore()
    store.add(_sent(10, count=1, media_id=7))
    store.add(_sent(20, count=1, media_id=7))
    assert store.by_media_id(7, (1,)) == [b"frame-20"]


# -- Reassembler -----------------------------------------------------------------------

def test_reassembly_in_any_order_and_duplicates_ignored():
    r = Reassembler()
    assert r.add(0x0801, 12, 3, 3, 0, b"C", 0.0) == (None, None)
    assert r.add(0x0801, 10, 3, 1, 0, b"A", 0.0) == (None, None)
    assert r.add(0x0801, 10, 3, 1, 0, b"X", 0.0) == (None, None)     # duplicate: ignored
    (partial,) = r.partials.values()
    assert (partial.first_serial, partial.size, partial.encryption) == (10, 2, 0)
    assert partial.missing() == (2,) and partial.missing_serials() == (11,)
    assert r.add(0x0801, 11, 3, 2, 0, b"B", 1.0) == (b"ABC", None)
    assert not r.partials


def test_partial_keeps_encryption_and_first_time():
    r = Reassembler()
    r.add(0x0801, 5, 2, 2, 1, b"x", 3.5)
    (partial,) = r.partials.values()
    assert (partial.encryption, partial.size, partial.last_seen) == (1, 1, 3.5)
    assert partial.missing() == (1,) and partial.missing_serials() == (4,)


def test_missing_serials_wrap():
    r = Reassembler()
    r.add(0x0801, 0x0001, 3, 3, 0, b"c", 0.0)
    (partial,) = r.partials.values()
    assert partial.first_serial == 0xFFFF
    assert partial.missing() == (1, 2) and partial.missing_serials() == (0xFFFF, 0x0000)


def test_packet_limit_is_inclusive():
    r = Reassembler(ReassemblyLimits(max_packets=3))
    assert r.add(0x0801, 1, 3, 1, 0, b"a", 0.0) == (None, None)
    body, reason = r.add(0x0801, 1, 4, 1, 0, b"a", 0.0)
    assert body is None and reason == "4 packets exceed the limit of 3"


def test_byte_limit_is_inclusive():
    r = Reassembler(ReassemblyLimits(max_bytes=4))
    assert r.add(0x0801, 1, 2, 1, 0, b"ab", 0.0) == (None, None)
    assert r.add(0x0801, 2, 2, 2, 0, b"cd", 0.0) == (b"abcd", None)   # exactly the limit
    r.add(0x0801, 10, 2, 1, 0, b"abc", 0.0)
    body, reason = r.add(0x0801, 11, 2, 2, 0, b"de", 0.0)
    assert body is None and reason == "message exceeds 4 bytes"
    assert not r.partials and [p.first_serial for p in r.take_dropped()] == [10]


def test_message_limit_evicts_the_oldest_partial():
    r = Reassembler(ReassemblyLimits(max_messages=2))
    r.add(0x0801, 10, 2, 1, 0, b"a", 0.0)
    r.add(0x0801, 20, 2, 1, 0, b"b", 1.0)
    assert len(r.partials) == 2 and r.take_dropped() == []
    r.add(0x0801, 30, 2, 1, 0, b"c", 2.0)
    assert [p.first_serial for p in r.partials.values()] == [20, 30]
    assert [p.first_serial for p in r.take_dropped()] == [10]
    assert r.take_dropped() == []


def test_next_deadline():
    r = Reassembler(ReassemblyLimits(timeout=30.0))
    assert r.next_deadline() is None
    r.add(0x0801, 10, 2, 1, 0, b"a", 5.0)
    r.add(0x0801, 20, 2, 1, 0, b"b", 7.0)
    assert r.next_deadline() == 35.0


def test_due_asks_then_gives_up():
    r = Reassembler(ReassemblyLimits(timeout=10.0, max_requests=2))
    r.add(0x0801, 10, 2, 1, 0, b"a", 0.0)
    r.add(0x0801, 20, 2, 1, 0, b"b", 5.0)
    assert r.due(9.9) == ([], [])
    ask, give_up = r.due(10.0)                               # exactly the timeout: due
    assert [p.first_serial for p in ask] == [10] and give_up == []
    assert ask[0].requests == 1 and ask[0].last_seen == 10.0
    ask, _ = r.due(15.0)                                     # the later one, not blocked
    assert [p.first_serial for p in ask] == [20]
    ask, _ = r.due(20.0)
    assert [p.first_serial for p in ask] == [10] and ask[0].requests == 2
    ask, give_up = r.due(30.0)
    assert [p.first_serial for p in give_up] == [10]
    assert [p.first_serial for p in ask] == [20] and ask[0].requests == 2
    assert [(p.msg_id, p.first_serial, p.total) for p in r.partials.values()] == [(0x0801, 20, 2)]


# -- RetryPolicy -----------------------------------------------------------------------

@pytest.mark.parametrize("bearer, timeout_id, count_id", [
    ("tcp", 0x0002, 0x0003), ("udp", 0x0004, 0x0005), ("sms", 0x0006, 0x0007)])
def test_retry_policy_reads_its_bearers_params(bearer, timeout_id, count_id):
    params = {0x0002: 11, 0x0003: 1, 0x0004: 12, 0x0005: 2, 0x0006: 13, 0x0007: 4}
    policy = RetryPolicy.from_params(params, bearer)
    assert policy == RetryPolicy(float(params[timeout_id]), params[count_id])
    assert isinstance(policy.first_timeout, float)
    assert isinstance(policy.max_retransmissions, int)


@pytest.mark.parametrize("bearer, defaults", [
    ("tcp", (30.0, 3)), ("udp", (30.0, 3)), ("sms", (60.0, 3))])
def test_retry_policy_defaults(bearer, defaults):
    assert RetryPolicy.from_params({}, bearer) == RetryPolicy(*defaults)
    assert LINK_PARAM_DEFAULTS[0x0001] == 60


def test_retry_policy_unknown_bearer():
    with pytest.raises(ValueError, match=r"bearer must be one of \['sms', 'tcp', 'udp'\], "
                                         r"got 'x25'"):
        RetryPolicy.from_params({}, "x25")


def test_retry_timeouts_grow_as_the_standard_says():
    """T1 = 30 s, T(N+1) = T(N) x (N+1): 30, 60, 180, 720 (sent at 0, 30, 90, 270 s)."""
    policy = RetryPolicy(30.0, 3)
    assert [policy.timeout(n) for n in range(1, 5)] == [30.0, 60.0, 180.0, 720.0]
    assert sum(policy.timeout(n) for n in range(1, 5)) == 990.0
