"""Simulated terminals answer platform commands with the default answers, and a UDP
server works like a TCP one (one event loop: platform and simulator side by side)."""
from __future__ import annotations

import anyio
import pytest

from jt808.codec import (LocationQuery, LocationQueryResponse, QueryTerminalParams,
                         QueryTerminalParamsResponse, TerminalGeneralResponse, TextMessage)
from jt808.frame import Version
from jt808.platform import Platform
from jt808.simulator import SimConfig, simulate

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend():
    return "asyncio"


async def test_platform_commands_get_default_answers():
    async with Platform() as platform:
        await platform.serve("tcp://127.0.0.1:0")
        config = SimConfig(platform.url("tcp"), terminals=2, duration=2.5, rate=0.5,
                           ramp=0.1, drain=1.0, progress=False)
        result = {}

        async def run() -> None:
            result["stats"] = await simulate(config)

        async with anyio.create_task_group() as tg:
            tg.start_soon(run)
            phone = config.phone(1)
            await platform.wait_for(lambda: (r := platform.terminals.get(phone)) is not None
                                    and r.authenticated)
            params = await platform.request(phone, QueryTerminalParams(), timeout=5)
            where = await platform.request(phone, LocationQuery(), timeout=5)
            general = await platform.request(phone, TextMessage(0x08, "hello"), timeout=5)
    assert isinstance(params, QueryTerminalParamsResponse)
    assert {p.param_id for p in params.params} == {0x0001, 0x0002}
    assert isinstance(where, LocationQueryResponse) and 39 < where.location.latitude < 41
    assert isinstance(general, TerminalGeneralResponse) and general.result == 0
    stats = result["stats"]
    assert stats.counters["commands_answered"] == 3 and stats.lost == 0


async def test_udp_and_2019_terminals_report_without_loss():
    async with Platform() as platform:
        await platform.serve("udp://127.0.0.1:0")
        config = SimConfig(platform.url("udp"), terminals=4, duration=1.5, rate=0.5,
                           ramp=0.1, drain=1.0, version=Version.V2019, progress=False)
        stats = await simulate(config)
    assert stats.counters["ever_authenticated"] == 4 and stats.lost == 0
    assert stats.latency[0x0200].count >= 4
    assert all(len(phone) for phone in platform.terminals)


async def test_a_dropped_link_is_reconnected_and_logged_in_again():
    async with Platform() as platform:
        await platform.serve("tcp://127.0.0.1:0")
        config = SimConfig(platform.url("tcp"), terminals=2, duration=3.5, rate=0.3,
                           ramp=0.1, drain=2.0, progress=False)
        result = {}

        async def run() -> None:
            result["stats"] = await simulate(config)

        async with anyio.create_task_group() as tg:
            tg.start_soon(run)
            phone = config.phone(0)
            await platform.wait_message(phone, 0x0200, timeout=5)
            await platform.disconnect(phone)
            await platform.wait_for(lambda: platform.terminals[phone].connections >= 2
                                    and platform.terminals[phone].authenticated, timeout=5)
    stats = result["stats"]
    assert stats.counters["reconnects"] >= 1
    assert stats.counters["ever_authenticated"] == 2
    assert stats.sent_by_type[0x0102] >= 3              # auth again, no second register
    assert stats.sent_by_type[0x0100] == 2
