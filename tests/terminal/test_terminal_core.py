"""Terminal (async core) against a small platform on a real 127.0.0.1 TCP listener."""
from __future__ import annotations

import datetime as dt

import anyio
import pytest

from hal.gnss import Fix
from hal.modem import StaticModemInfo
from jt808.codec import (CameraShootCommand, QuerySpecificTerminalParams, QueryTerminalParams,
                         QueryTerminalProperties, RawMessage, SetTerminalParams, TerminalParam,
                         TerminalRegister, LocationQuery, TextMessage, TemporaryTracking)
from jt808.errors import ResponseTimeout, TransportError
from jt808.terminal import Terminal

from terminal_platform import (AUTH_CODE, FAST_PARAMS, TestPlatform, anyio_backend,  # noqa: F401
                               memory_url, report)

pytestmark = pytest.mark.anyio

REGISTER = TerminalRegister(31, 115, "70111", "M1", "T1", 1, "A12345")
PHONE = "13800138000"


class BigCamera:
    """A 'JPEG' of 3000 bytes, so the 0x0801 body needs three 1023-byte packets."""

    async def capture(self, channel, resolution=None) -> bytes:
        return b"\xff\xd8" + bytes(range(256)) * 11 + bytes(180) + b"\xff\xd9"


class StaticGnss:
    def __init__(self, fix: Fix | None) -> None:
        self.fix = fix

    async def read(self) -> Fix | None:
        return self.fix


def make_terminal(url: str, **options) -> Terminal:
    options.setdefault("params", dict(FAST_PARAMS))
    return Terminal(url, phone=PHONE, register_info=REGISTER, imei="123456789012345",
                    app_version="1.0", **options)


async def test_login_registers_then_authenticates_and_reports():
    async with anyio.create_task_group() as tg:
        platform = TestPlatform(tg)
        url = await platform.start(memory_url())
        async with make_terminal(url) as terminal:
            await terminal.connect()
            reply = await terminal.login()
            assert reply.result == 0 and terminal.authenticated
            assert terminal.auth_code == AUTH_CODE
            assert platform.ids()[:2] == [0x0100, 0x0102]
            ack = await terminal.report_location(report(1))
            assert ack.result == 0 and ack.reply_id == 0x0200
            assert platform.of(0x0200) == [report(1)]
        await platform.aclose()
        tg.cancel_scope.cancel()


async def test_stored_code_refused_registers_again():
    async with anyio.create_task_group() as tg:
        platform = TestPlatform(tg)
        url = await platform.start(memory_url())
        async with make_terminal(url, auth_code="STALE") as terminal:
            await terminal.connect()
            reply = await terminal.login()
            assert reply.result == 0 and terminal.auth_code == AUTH_CODE
            assert platform.ids()[:3] == [0x0102, 0x0100, 0x0102]
        await platform.aclose()
        tg.cancel_scope.cancel()


async def test_unanswered_request_raises_response_timeout():
    async with anyio.create_task_group() as tg:
        platform = TestPlatform(tg)
        url = await platform.start(memory_url())
        async with make_terminal(url, auth_code=AUTH_CODE) as terminal:
            await terminal.connect()
            await terminal.login()
            platform.drop_reports = True
            with pytest.raises(ResponseTimeout):
                await terminal.request(report(2))
            with pytest.raises(ResponseTimeout):
                await terminal.request(report(3), timeout=0.05)
        await platform.aclose()
        tg.cancel_scope.cancel()


async def test_request_without_link_raises_transport_error():
    async with make_terminal("tcp://127.0.0.1:9") as terminal:
        with pytest.raises(TransportError):
            await terminal.request(report(1))
        with pytest.raises(TransportError):
            await terminal.connect()


async def test_set_then_query_params_persisted(tmp_path):
    path = tmp_path / "params.json"
    async with anyio.create_task_group() as tg:
        platform = TestPlatform(tg)
        url = await platform.start(memory_url())
        async with make_terminal(url, auth_code=AUTH_CODE, params={0x0001: 0},
                                 params_path=path) as terminal:
            await terminal.connect()
            await terminal.login()
            link = await platform.wait_link()
            ok = await link.request(SetTerminalParams((TerminalParam(0x0029, 5),
                                                       TerminalParam(0x0013, "10.0.0.1"),
                                                       TerminalParam(0x0002, 7))))
            assert ok.result == 0 and ok.reply_id == 0x8103
            assert terminal.session.retry.first_timeout == 7
            everything = await link.request(QueryTerminalParams())
            assert {p.param_id: p.value for p in everything.params} == {
                0x0001: 0, 0x0002: 7, 0x0013: "10.0.0.1", 0x0029: 5}
            some = await link.request(QuerySpecificTerminalParams((0x0029, 0x0100)))
            assert [(p.param_id, p.value) for p in some.params] == [(0x0029, 5)]
        await platform.aclose()
        tg.cancel_scope.cancel()
    again = Terminal("tcp://127.0.0.1:9", phone=PHONE, params_path=path)
    assert again.params.get(0x0013) == "10.0.0.1" and again.params.get(0x0029) == 5
    assert again.session.retry.first_timeout == 7


async def test_default_answers_properties_location_text_tracking_unknown():
    texts = []
    async with anyio.create_task_group() as tg:
        platform = TestPlatform(tg)
        url = await platform.start(memory_url())
        fix = Fix(-33.5, -70.25, 500.0, 50.0, 180.0,
                  dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc), 7, True)
        async with make_terminal(url, auth_code=AUTH_CODE, gnss=StaticGnss(fix),
                                 modem_info=StaticModemInfo()) as terminal:
            terminal.on_text = texts.append
            await terminal.connect()
            await terminal.login()
            link = await platform.wait_link()
            props = await link.request(QueryTerminalProperties())
            assert props.iccid == "89860012345678901238" and props.terminal_id == "T1"
            where = await link.request(LocationQuery())
            assert where.location.latitude == -33.5 and where.location.longitude == -70.25
            assert where.location.time == dt.datetime(2024, 1, 2, 11, 4, 5)
            assert where.location.status & 0b1110 == 0b1110   # positioned, south, west
            ok = await link.request(TextMessage(0b1000, "hello"))
            assert ok.result == 0 and texts[0].text == "hello"
            ok = await link.request(TemporaryTracking(3, 60))
            assert ok.result == 0 and terminal.reporter.interval() == 3
            unknown = await link.request(RawMessage(0x8F00, b"\x01"))
            assert unknown.result == 3
        await platform.aclose()
        tg.cancel_scope.cancel()


async def test_handler_override_with_on():
    async with anyio.create_task_group() as tg:
        platform = TestPlatform(tg)
        url = await platform.start(memory_url())
        async with make_terminal(url, auth_code=AUTH_CODE) as terminal:
            async def refuse(term, message, header):
                term.reply(header, 1)
            terminal.on(0x8300, refuse)
            await terminal.connect()
            await terminal.login()
            link = await platform.wait_link()
            assert (await link.request(TextMessage(0, "x"))).result == 1
            terminal.on(0x8300, None)
            assert (await link.request(TextMessage(0, "x"))).result == 0
        await platform.aclose()
        tg.cancel_scope.cancel()


async def test_photo_request_answers_0805_then_split_upload():
    async with anyio.create_task_group() as tg:
        platform = TestPlatform(tg)
        url = await platform.start(memory_url())
        camera = BigCamera()
        async with make_terminal(url, auth_code=AUTH_CODE, camera=camera) as terminal:
            await terminal.connect()
            await terminal.login()
            terminal.reporter.last_report = report(1)
            link = await platform.wait_link()
            command = CameraShootCommand(1, 1, 0, 0, 1)    # channel 1, one photo, 320x240
            answer = await link.request(command)
            assert answer.result == 0 and len(answer.ids) == 1
            await platform.until(lambda: platform.of(0x0801))
            [upload] = platform.of(0x0801)
            assert upload.media_id == answer.ids[0] and upload.channel_id == 1
            assert upload.location.latitude == report(1).latitude
            data = upload.media_data
            assert data[:2] == b"\xff\xd8" and data.endswith(b"\xff\xd9")   # a JPEG
            assert len(data) > 1023                 # it went in several subpackets
            assert sum(h.msg_id == 0x0801 and h.packet is not None
                       for h, _ in platform.received) == 1       # one reassembled message
            assert platform.of(0x0800)
            await platform.until(lambda: not terminal.session.pending)
        await platform.aclose()
        tg.cancel_scope.cancel()


async def test_outage_positions_stored_and_uploaded_once_in_order(tmp_path):
    store = tmp_path / "blind.sqlite"
    async with anyio.create_task_group() as tg:
        platform = TestPlatform(tg)
        url = await platform.start(memory_url())
        async with make_terminal(url, auth_code=AUTH_CODE, store_path=store) as terminal:
            await terminal.connect()
            await terminal.login()
            platform.drop_reports = True
            for n in range(3):                      # no 0x8001: each times out -> stored
                assert await terminal.report_location(report(n)) is None
            await terminal.disconnect()
            for n in range(3, 5):                   # link down -> stored
                assert await terminal.report_location(report(n)) is None
            assert terminal.store.count() == 5
        # the terminal restarts mid-outage with the same store file
        async with make_terminal(url, auth_code=AUTH_CODE, store_path=store) as terminal:
            terminal.blind_batch = 2
            assert terminal.store.count() == 5
            assert await terminal.report_location(report(5)) is None
            platform.drop_reports = False
            await terminal.connect()
            await terminal.login()
            await platform.until(lambda: terminal.store.count() == 0)
            batches = platform.of(0x0704)
            assert [b.location_type for b in batches] == [1, 1, 1]
            uploaded = [item for b in batches for item in b.items]
            assert uploaded == [report(n) for n in range(6)]
        await platform.aclose()
        tg.cancel_scope.cancel()


async def test_run_reconnects_and_reports_from_gnss():
    fix = Fix(31.2, 121.5, 4.0, 20.0, 45.0, None, 5, True)
    async with anyio.create_task_group() as tg:
        platform = TestPlatform(tg)
        url = await platform.start(memory_url())
        terminal = make_terminal(url, gnss=StaticGnss(fix),
                                 params={**FAST_PARAMS, 0x0029: 1})
        terminal.min_backoff = 0.05
        async with terminal:
            tg.start_soon(terminal.run)
            await platform.until(lambda: len(platform.of(0x0200)) >= 1)
            first = await platform.wait_link()
            await first.close()                     # the platform drops the link
            await platform.until(lambda: platform.link is not None and platform.link is not first
                                 and terminal.authenticated)
            count = len(platform.of(0x0200)) + len(platform.of(0x0704))
            await platform.until(lambda: len(platform.of(0x0200)) + len(platform.of(0x0704))
                                 > count)
            assert platform.registrations == 1      # the code was kept for the second login
            assert platform.ids().count(0x0102) == 2
            await terminal.close()
        got = platform.of(0x0200)[0]
        assert got.latitude == 31.2 and got.speed == 20.0 and got.time is None
        await platform.aclose()
        tg.cancel_scope.cancel()
