"""Issue 18: byte budgets for what the platform keeps (records) and holds (reassembly).
Was: a 0x0704 with count 65,535 kept ~12.7 MiB (up to 1,000 per phone); incomplete
messages ~36.6 MiB per link, any number of links."""
from __future__ import annotations

import anyio
import pytest

from jt808.codec import LocationBatchReport
from jt808.frame import Frame, Header, Version, pack
from jt808.demo import MiniTerminal, location
from jt808.platform import Platform, TerminalRecord
from jt808.platform._server import UNAUTHENTICATED_LIMITS
from jt808.platform._terminal_state import POSITION_COST, BoundedList

from platform_peers import RawPeer

pytestmark = pytest.mark.anyio

PHONE = "13800000001"


def test_a_huge_batch_is_counted_but_not_kept():
    record = TerminalRecord(PHONE, max_bytes=1024 * 1024)
    batch = LocationBatchReport(1, (location(),) * 65_535)
    record.record(Header(0x0704, PHONE, 1, Version.V2013), batch)
    assert record.position_count == 65_535 and record.message_count == 1
    assert len(record.positions) == 1_000
    assert not record.batches and not record.received          # 45 MB estimated: let go
    assert record.received.dropped == 1 and record.batches.dropped == 1
    assert record.kept_bytes <= 4 * 1024 * 1024


def test_kept_messages_stay_within_the_byte_budget():
    record = TerminalRecord(PHONE, max_bytes=100 * POSITION_COST)
    for serial in range(500):
        record.record(Header(0x0200, PHONE, serial, Version.V2013), location())
    assert record.message_count == 500
    assert record.received.bytes <= 100 * POSITION_COST
    assert 0 < len(record.received) <= 100
    assert record.received[-1][0].serial == 499                  # the newest are kept


def test_bounded_list_without_byte_budget_is_a_plain_bounded_list():
    kept = BoundedList(3, range(10))
    assert kept == [7, 8, 9] and kept.dropped == 7 and kept.bytes == 0


def _packet(phone: str, serial: int, total: int, index: int, body: bytes) -> bytes:
    return pack(Frame(Header(0x0900, phone, serial, Version.V2013, 0, (total, index)), body))


async def test_unauthenticated_connection_reassembles_at_most_one_small_message():
    async with Platform() as platform:
        await platform.serve("tcp://127.0.0.1:0")
        peer = await RawPeer.tcp(platform.address())
        await peer.send(b"".join(_packet(PHONE, n * 10, 40, 1, b"\x00" * 1000)
                                 for n in range(50)))
        await anyio.sleep(0.2)
        [link] = list(platform.links)
        partials = link.driver.session.reassembler.partials
        assert len(partials) <= UNAUTHENTICATED_LIMITS.max_messages
        assert sum(p.size for p in partials.values()) <= UNAUTHENTICATED_LIMITS.max_bytes
        await peer.aclose()


async def test_all_connections_together_stay_within_the_reassembly_budget():
    """Two authenticated terminals each hold 8 unfinished messages of 3,000 bytes; the
    platform's budget is 30,000 bytes: the largest holder loses its unfinished ones."""
    async with Platform(max_reassembly_bytes=30_000, auth_timeout=0.2) as platform:
        await platform.serve("tcp://127.0.0.1:0")
        async with await MiniTerminal.connect(platform.url(), PHONE) as one, \
                await MiniTerminal.connect(platform.url(), "13800000002") as two:
            for terminal in (one, two):
                await terminal.login()
                phone = terminal.session.phone
                for n in range(8):
                    for index in (1, 2, 3):
                        await terminal.driver.transport.send(
                            _packet(phone, 100 + n * 10 + index - 1, 5, index, b"\x01" * 1000))
            def held() -> int:
                return sum(p.size for link in platform.links
                           for p in link.driver.session.reassembler.partials.values())

            await platform.wait_for(
                lambda: platform.links.evicted["reassembly over budget (messages dropped)"],
                timeout=5)
            # the eviction is seen while the second terminal's packets may still arrive:
            # wait for them all (the budget holds at every step)
            await platform.wait_for(lambda: held() == 24_000 or held() > 30_000, timeout=5)
            assert held() == 24_000
            assert (await one.report()).result == 0 and (await two.report()).result == 0


async def test_all_records_together_stay_near_the_global_budget():
    """max_kept_bytes 30,000 (about 40 kept positions, counted twice: message and
    position); two terminals send 40 reports each: the largest record is cut."""
    budget = 30_000
    async with Platform(max_kept_bytes=budget) as platform:
        await platform.serve("tcp://127.0.0.1:0")
        async with await MiniTerminal.connect(platform.url(), PHONE) as one, \
                await MiniTerminal.connect(platform.url(), "13800000002") as two:
            await one.login()
            await two.login()
            for _ in range(40):
                assert (await one.report()).result == 0
                assert (await two.report()).result == 0
        records = list(platform.terminals.values())
        assert [r.position_count for r in records] == [40, 40]
        assert sum(r.kept_bytes for r in records) <= budget + 2 * 2 * POSITION_COST
