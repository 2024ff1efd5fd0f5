"""End to end: Terminal.run() (2019) with the simulated GNSS route, modem info and camera
over memory://, against the terminal tests' platform: reports flow, commands answered."""
from __future__ import annotations

import sys
from pathlib import Path

import anyio
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "terminal"))

from hal.camera import StaticCamera  # noqa: E402
from hal.gnss import RouteGnss  # noqa: E402
from hal.modem import StaticModemInfo  # noqa: E402
from jt808.codec import (CameraShootCommand, CircleArea, DeleteCircleArea,  # noqa: E402
                         LocationQuery, QueryAreaRoute, QueryTerminalProperties,
                         SetCircleArea, TerminalRegister)
from jt808.frame import Version  # noqa: E402
from jt808.terminal import Terminal  # noqa: E402
from terminal_platform import FAST_PARAMS, TestPlatform  # noqa: E402

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def test_run_2019_reports_route_and_answers_commands(tmp_path):
    register = TerminalRegister(31, 115, "70111", "MODEL-2019", "TID-2019", 1, "A12345")
    async with anyio.create_task_group() as tg:
        platform = TestPlatform(tg, Version.V2019)
        url = await platform.start("memory://e2e-terminal")
        terminal = Terminal(url, phone="13800138000", version=Version.V2019,
                            register_info=register, gnss=RouteGnss(),
                            modem_info=StaticModemInfo(), camera=StaticCamera(),
                            params={**FAST_PARAMS, 0x0029: 1},
                            store_path=tmp_path / "blind.sqlite")
        async with terminal:
            tg.start_soon(terminal.run)
            await platform.until(lambda: len(platform.of(0x0200)) >= 2)
            link = await platform.wait_link()
            first, second = platform.of(0x0200)[:2]
            assert first.status & 0b10 and first.extra(0x31) is not None   # positioned, sats
            assert (first.latitude, first.longitude) != (0, 0)
            props = await link.request(QueryTerminalProperties())
            assert props.terminal_model == "MODEL-2019" and props.terminal_id == "TID-2019"
            where = await link.request(LocationQuery())
            assert where.location.time is not None
            area = CircleArea(7, 0, 31.2, 121.5, 500)
            assert (await link.request(SetCircleArea(0, (area,)))).result == 0
            answer = await link.request(QueryAreaRoute(1))
            assert [a.areas[0].area_id for a in answer.items] == [7]
            assert (await link.request(DeleteCircleArea((7,)))).result == 0
            assert (await link.request(QueryAreaRoute(1))).items == ()
            shot = await link.request(CameraShootCommand(1, 2, 0, 0, 1))
            assert shot.result == 0 and len(shot.ids) == 2
            await platform.until(lambda: len(platform.of(0x0801)) == 2)
            assert [u.media_id for u in platform.of(0x0801)] == list(shot.ids)
            await terminal.close()
        assert platform.registrations == 1
        await platform.aclose()
        tg.cancel_scope.cancel()
