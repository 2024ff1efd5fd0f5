"""0x8103 parameter validation and live effect (issues 15 and 18), against the terminal
tests' platform on a real 127.0.0.1 TCP listener."""
from __future__ import annotations

import contextlib
import json

import anyio
import pytest

from jt808.codec import (QueryTerminalParams, SetTerminalParams, TerminalParam,
                         TerminalRegister, encode_body)
from jt808.frame import Version
from jt808.terminal import Terminal

from terminal_platform import AUTH_CODE, FAST_PARAMS, TestPlatform, anyio_backend  # noqa: F401

pytestmark = pytest.mark.anyio

REGISTER = TerminalRegister(31, 115, "70111", "M1", "T1", 1, "A12345")
PHONE = "13800138000"


@contextlib.asynccontextmanager
async def linked(tmp_path=None, version: Version = Version.V2013, **options):
    """A logged-in terminal and its platform link: ``(terminal, link, platform)``."""
    async with anyio.create_task_group() as tg:
        platform = TestPlatform(tg, version)
        url = await platform.start()
        options.setdefault("params", dict(FAST_PARAMS))
        if tmp_path is not None:
            options.setdefault("store_path", tmp_path / "blind.sqlite")
        terminal = Terminal(url, phone=PHONE, version=version, register_info=REGISTER,
                            auth_code=AUTH_CODE, **options)
        async with terminal:
            await terminal.connect()
            await terminal.login()
            link = await platform.wait_link()
            yield terminal, link, platform
        await platform.aclose()
        tg.cancel_scope.cancel()


def _set(*pairs) -> SetTerminalParams:
    return SetTerminalParams(tuple(TerminalParam(i, v) for i, v in pairs))


@pytest.mark.parametrize("pairs", [
    ((0x0002, 0),),                                  # issue 18: every request 4x at once
    ((0x0002, 0), (0x0003, 0xFFFFFFFF)),             # issue 18: ~3,700 retransmissions/s
    ((0x0003, 0xFFFFFFFF),),
    ((0x0004, 0),), ((0x0006, 0),), ((0x0005, 11),),
    ((0x0001, 0),),                                  # a heartbeat that never beats
    ((0x0029, 0),), ((0x0027, 0),), ((0x0028, 0),),  # report intervals of 0 s
    ((0x0020, 3),), ((0x0021, 2),), ((0x002C, 0),), ((0x0030, 180),),
    ((0x0013, ""),), ((0x0013, "a b"),), ((0x0018, 0),),
    ((0x0029, 10), (0x0002, 0)),                     # one bad value refuses the whole list
])
async def test_refused_values_answer_result_1_and_are_not_kept(tmp_path, pairs):
    path = tmp_path / "params.json"
    async with linked(tmp_path, params_path=path) as (terminal, link, _):
        before = dict(terminal.params.values)
        timeout = terminal.session.retry.first_timeout
        reply = await link.request(_set(*pairs))
        assert reply.result == 1 and reply.reply_id == 0x8103
        assert terminal.params.values == before
        assert terminal.session.retry.first_timeout == timeout
    saved = json.loads(path.read_text()) if path.exists() else {}
    assert all(f"{i:08X}" not in saved or i in FAST_PARAMS for i, _ in pairs)
    again = Terminal("tcp://127.0.0.1:9", phone=PHONE, params_path=path)
    assert again.session.retry.first_timeout >= 1


async def test_values_at_the_range_edges_are_accepted(tmp_path):
    async with linked(tmp_path) as (terminal, link, _):
        reply = await link.request(_set((0x0002, 1), (0x0003, 10), (0x0001, 86400),
                                        (0x0029, 1), (0x0030, 179), (0x0018, 65535),
                                        (0x0013, "platform.example.com")))
        assert reply.result == 0
        assert terminal.session.retry.first_timeout == 1
        assert terminal.session.retry.max_retransmissions == 10


async def test_unknown_ids_are_bounded(tmp_path):
    path = tmp_path / "params.json"
    async with linked(tmp_path, params_path=path) as (terminal, link, _):
        first = _set(*((0xF000 + i, bytes(200)) for i in range(60)))
        assert (await link.request(first)).result == 0
        more = _set(*((0xF100 + i, b"x") for i in range(5)))
        assert (await link.request(more)).result == 1          # 65 > 64 unknown ids
        assert sum(1 for i in terminal.params.values if i >= 0xF000) == 60
        again = _set((0xF000, b"y"), (0x0029, 9))              # replacing a held id is fine
        assert (await link.request(again)).result == 0
    assert path.stat().st_size < 64 * 1024


async def test_0104_answers_what_fits_in_its_byte_count(tmp_path):
    many = {0x0110 + i: bytes(8) for i in range(0xF0)}       # 240 known CAN ids
    many.update({0xE000 + i: bytes(1) for i in range(40)})   # + 40 unknown: 280 + 3 held
    async with linked(tmp_path, params={**FAST_PARAMS, **many}) as (terminal, link, _):
        answer = await link.request(QueryTerminalParams())
        assert len(answer.params) == 255
        ids = [p.param_id for p in answer.params]
        assert 0x0001 in ids and 0x01FF in ids                # known ids first
        assert len(encode_body(answer, Version.V2013)) < 65536


# -- live effect (issue 15: 0x8103 changes take effect live) ---------------------------

class Gnss:
    """A fix the test moves."""

    def __init__(self, lat: float = 31.0, lon: float = 121.0) -> None:
        from hal.gnss import Fix
        import datetime as dt
        self.Fix, self.when = Fix, dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
        self.lat, self.lon = lat, lon

    async def read(self):
        return self.Fix(valid=True, latitude=self.lat, longitude=self.lon, altitude=5.0,
                        speed=30.0, direction=90, utc=self.when, satellites=8)


def positions(platform) -> int:
    """Positions the platform got (0x0200, and 0x0704 for those taken before login)."""
    return len(platform.of(0x0200)) + sum(len(m.items) for m in platform.of(0x0704))


async def test_heartbeat_and_reply_timeout_change_live(tmp_path):
    async with linked(tmp_path) as (terminal, link, platform):
        assert terminal.session.params[0x0001] == 0             # no heartbeat yet
        assert (await link.request(_set((0x0001, 1), (0x0002, 9)))).result == 0
        await platform.until(lambda: len(platform.of(0x0002)) >= 2)
        assert terminal.session.retry.first_timeout == 9


async def test_report_interval_change_wakes_the_reporter(tmp_path):
    params = {**FAST_PARAMS, 0x0029: 3600}
    async with anyio.create_task_group() as tg:
        platform = TestPlatform(tg)
        url = await platform.start()
        terminal = Terminal(url, phone=PHONE, register_info=REGISTER, auth_code=AUTH_CODE,
                            gnss=Gnss(), params=params, store_path=tmp_path / "b.sqlite")
        async with terminal:
            tg.start_soon(terminal.run)
            await platform.until(lambda: positions(platform) == 1)
            link = await platform.wait_link()
            assert (await link.request(_set((0x0029, 1)))).result == 0
            await platform.until(lambda: positions(platform) >= 3)   # not in 3600 s
            await terminal.close()
        await platform.aclose()
        tg.cancel_scope.cancel()


async def test_distance_strategy_reports_when_the_vehicle_moved(tmp_path):
    gnss = Gnss()
    params = {**FAST_PARAMS, 0x0029: 3600}
    async with anyio.create_task_group() as tg:
        platform = TestPlatform(tg)
        url = await platform.start()
        terminal = Terminal(url, phone=PHONE, register_info=REGISTER, auth_code=AUTH_CODE,
                            gnss=gnss, params=params, store_path=tmp_path / "b.sqlite")
        async with terminal:
            tg.start_soon(terminal.run)
            await platform.until(lambda: positions(platform) == 1)
            link = await platform.wait_link()
            assert (await link.request(_set((0x0020, 1), (0x002C, 100)))).result == 0
            await anyio.sleep(1.5)                              # standing still: no report
            assert positions(platform) == 1
            gnss.lat += 0.002                                   # ~222 m north
            await platform.until(lambda: positions(platform) == 2)
            await terminal.close()
        await platform.aclose()
        tg.cancel_scope.cancel()


def test_report_rule_by_state():
    from jt808.terminal._report_strategy import ReportRule, report_rule
    p = {0x0020: 2, 0x0021: 1, 0x0022: 22, 0x0027: 27, 0x0028: 28, 0x0029: 29,
         0x002C: 44, 0x002D: 45, 0x002E: 46, 0x002F: 47}
    assert report_rule(p, status=1, alarm_flag=1) == ReportRule(28, 47)      # emergency
    assert report_rule(p, status=1, alarm_flag=0, driver_logged_in=False) == ReportRule(22, 45)
    assert report_rule(p, status=0, alarm_flag=0) == ReportRule(27, 46)      # ACC off
    assert report_rule(p, status=1, alarm_flag=0) == ReportRule(29, 44)
    assert report_rule({**p, 0x0020: 0}, status=1, alarm_flag=0) == ReportRule(29, None)
    assert report_rule({**p, 0x0020: 1}, status=1, alarm_flag=0) == ReportRule(None, 44)
    assert report_rule({}, status=0, alarm_flag=0) == ReportRule(30, None)   # defaults
    assert report_rule({0x0020: 1}, status=0, alarm_flag=0) == ReportRule(30, None)


@pytest.mark.parametrize("url, expected", [
    ("tcp://127.0.0.1:6808", "tcp://10.1.2.3:7000"),
    ("udp://127.0.0.1:6808", "udp://10.1.2.3:7001"),
    ("quectel+tcp:///dev/ttyUSB2?host=1.2.3.4&port=6808", "quectel+tcp:///dev/ttyUSB2?host=10.1.2.3&port=7000"),
    ("memory://x", "memory://x"),
])
def test_server_url_takes_address_and_port(url, expected):
    from jt808.terminal._server_url import server_url
    assert server_url(url, "10.1.2.3", 7000, 7001) == expected


async def test_server_address_params_apply_at_the_next_connect(tmp_path):
    async with linked(tmp_path) as (terminal, link, platform):
        assert (await link.request(_set((0x0013, "10.9.8.7"), (0x0018, 7777)))).result == 0
        assert terminal._target == "tcp://10.9.8.7:7777"
