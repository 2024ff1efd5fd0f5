"""Issue 15 table test: every platform->terminal command of each version, sent by the
reference platform (jt808.platform.Platform, real TCP) to a running Terminal; the
terminal answers with the right reply and the effect is observed (state, a HAL call on
the modem simulator, a file written).

Link-layer ids (0x8001, 0x8003, 0x8004, 0x8100, 0x8800, 0x8A00) are the session's and
have their own tests. No command is answered 0x0001 result 3 here: every HAL is present
(modem simulator for 0x8400, StaticCamera for 0x8801, GeneratedAudio for 0x8804).
"""
from __future__ import annotations

import datetime as dt

import anyio
import pytest

from hal.audio import GeneratedAudio
from hal.camera import StaticCamera
from hal.gnss import RouteGnss
from hal.modem import AtVoiceCalls, StaticModemInfo
from hal.modem_sim import ModemSimulator
from hal.quectel import open_channel
from jt808.codec import (AnswerItem, CallBack, CameraShootCommand, CircleArea, Contact,
                         DeleteCircleArea, DeletePolygonArea, DeleteRectangleArea,
                         DeleteRoute, DownlinkPassThrough, DriverIdentityRequest, EventItem,
                         EventSetting, InfoItem, InfoMenuSetting, InfoService, LinkCheck,
                         LocationQuery, ManualAlarmConfirm, PulseCoefficient, RecorderFrame, PhoneBookSetting, Point,
                         QueryAreaRoute, QuerySpecificTerminalParams, QueryTerminalParams,
                         QueryTerminalProperties, QuestionIssue, RecorderDataCollect,
                         RecorderParamsDownload, RecordingCommand, RectangleArea,
                         SetCircleArea, SetPolygonArea, SetRectangleArea, SetRoute,
                         SetTerminalParams, SingleStoredMediaUpload, StoredMediaSearch,
                         StoredMediaUpload, TemporaryTracking, TerminalControl,
                         TerminalParam, TerminalRegister, TextMessage, UpgradePackage,
                         VehicleControl, message_class)
from jt808.frame import Version
from jt808.platform import Platform
from jt808.terminal import Terminal

pytestmark = pytest.mark.anyio
PHONE = "13800138000"
REGISTER = TerminalRegister(31, 115, "70111", "M1", "T1", 1, "A12345")
LINK_LAYER = {0x8001, 0x8003, 0x8004, 0x8100, 0x8800, 0x8A00}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _ok(reply) -> bool:
    return getattr(reply, "result", None) == 0


def _seen(ctx, msg_id: int) -> list:
    return [m for h, m in ctx.record.received if h.msg_id == msg_id]


# msg id -> (command for a version, check(ctx, reply)); checks may be async
CASES = {
    0x8103: (lambda v: SetTerminalParams((TerminalParam(0x0029, 7),)),
             lambda c, r: _ok(r) and c.terminal.params.get(0x0029) == 7),
    0x8104: (lambda v: QueryTerminalParams(),
             lambda c, r: r.msg_id == 0x0104 and any(p.param_id == 0x0029 for p in r.params)),
    0x8106: (lambda v: QuerySpecificTerminalParams((0x0001,)),
             lambda c, r: r.msg_id == 0x0104 and [p.param_id for p in r.params] == [1]),
    0x8105: (lambda v: TerminalControl(5),
             lambda c, r: _ok(r) and c.terminal.params.get(0x0029) is None),
    0x8107: (lambda v: QueryTerminalProperties(),
             lambda c, r: r.msg_id == 0x0107 and r.terminal_id == "T1"),
    0x8108: (lambda v: UpgradePackage(0, "70111", "2.0", b"\x01" * 100),
             lambda c, r: _ok(r) and c.upgrades == [b"\x01" * 100]),
    0x8201: (lambda v: LocationQuery(), lambda c, r: r.msg_id == 0x0201),
    0x8202: (lambda v: TemporaryTracking(5, 60),
             lambda c, r: _ok(r) and c.terminal.reporter.tracking_interval == 5),
    0x8203: (lambda v: ManualAlarmConfirm(0, 1), lambda c, r: _ok(r)),
    0x8204: (lambda v: LinkCheck(), lambda c, r: _ok(r)),
    0x8300: (lambda v: TextMessage(0b1000, "hello"),
             lambda c, r: _ok(r) and c.texts == ["hello"]),
    0x8301: (lambda v: EventSetting(1, (EventItem(1, "jam"),)),
             lambda c, r: _ok(r) and c.terminal.events == {1: "jam"}),
    0x8302: (lambda v: QuestionIssue(0, "OK?", (AnswerItem(4, "yes"),)),
             lambda c, r: _ok(r)),
    0x8303: (lambda v: InfoMenuSetting(1, (InfoItem(2, "news"),)),
             lambda c, r: _ok(r) and c.terminal.info_menu == {2: "news"}),
    0x8304: (lambda v: InfoService(2, "sunny"),
             lambda c, r: _ok(r) and c.terminal.text_store.info == {2: "sunny"}),
    0x8400: (lambda v: CallBack(1, "13912345678"),
             lambda c, r: _ok(r) and c.sim.voice.dialled[-1] == "13912345678"
             and c.sim.voice.speaker_level == 0),
    0x8401: (lambda v: PhoneBookSetting(1, (Contact(3, "13912345678", "ops"),)),
             lambda c, r: _ok(r) and "ops" in c.terminal.phone_book.contacts),
    0x8500: (lambda v: VehicleControl(1) if v is not Version.V2019
             else message_class(0x8500, v)(()),
             lambda c, r: r.msg_id == 0x0500),
    0x8600: (lambda v: SetCircleArea(0, (CircleArea(7, 0, 31.2, 121.5, 500),)),
             lambda c, r: _ok(r) and (0x8600, 7) in c.terminal.areas),
    0x8601: (lambda v: DeleteCircleArea((7,)),
             lambda c, r: _ok(r) and (0x8600, 7) not in c.terminal.areas),
    0x8602: (lambda v: SetRectangleArea(0, (RectangleArea(8, 0, 31.3, 121.4, 31.2, 121.5),)),
             lambda c, r: _ok(r) and (0x8602, 8) in c.terminal.areas),
    0x8603: (lambda v: DeleteRectangleArea((8,)),
             lambda c, r: _ok(r) and (0x8602, 8) not in c.terminal.areas),
    0x8604: (lambda v: SetPolygonArea(9, 0, (Point(31.0, 121.0), Point(31.1, 121.0),
                                              Point(31.1, 121.1))),
             lambda c, r: _ok(r) and (0x8604, 9) in c.terminal.areas),
    0x8605: (lambda v: DeletePolygonArea((9,)),
             lambda c, r: _ok(r) and (0x8604, 9) not in c.terminal.areas),
    0x8606: (lambda v: SetRoute(10, 0, ()),
             lambda c, r: _ok(r) and (0x8606, 10) in c.terminal.areas),
    0x8607: (lambda v: DeleteRoute((10,)),
             lambda c, r: _ok(r) and (0x8606, 10) not in c.terminal.areas),
    0x8608: (lambda v: QueryAreaRoute(1), lambda c, r: r.msg_id == 0x0608),
    0x8700: (lambda v: RecorderDataCollect(0x00, b""),
             lambda c, r: r.msg_id == 0x0700 and r.cmd_data == bytes.fromhex("557A0000020012003F")),
    0x8701: (lambda v: RecorderParamsDownload(0xC3, RecorderFrame(
                 0xC3, PulseCoefficient(dt.datetime(2024, 1, 2, 3, 4, 5), 3600)).encode()),
             lambda c, r: _ok(r) and c.terminal.recorder.collect(0x04).coefficient == 3600),
    0x8702: (lambda v: DriverIdentityRequest(),
             lambda c, r: r.msg_id == 0x0702 and r.status == 2),
    0x8801: (lambda v: CameraShootCommand(1, 1),
             lambda c, r: (r.msg_id == 0x0805 and len(r.ids) == 1) if c.version
             is not Version.V2011 else _ok(r)),
    0x8802: (lambda v: StoredMediaSearch(0, 0, 0),
             lambda c, r: r.msg_id == 0x0802 and len(r.medias) == 1),
    0x8803: (lambda v: StoredMediaUpload(0, 0, 0), lambda c, r: _ok(r)),
    0x8804: (lambda v: RecordingCommand(1, 1, 1),
             lambda c, r: _ok(r)),
    0x8805: (lambda v: SingleStoredMediaUpload(1), lambda c, r: _ok(r)),
    0x8900: (lambda v: DownlinkPassThrough(0x41, b"\x01"),
             lambda c, r: _ok(r) and c.passed == [(0x41, b"\x01")]),
}


class Ctx:
    def __init__(self, version, terminal, record, sim) -> None:
        self.version, self.terminal, self.record, self.sim = version, terminal, record, sim
        self.texts: list[str] = []
        self.upgrades: list[bytes] = []
        self.passed: list = []


def platform_ids(version: Version) -> list[int]:
    return [i for i in range(0x8000, 0x9000)
            if message_class(i, version) is not None and i not in LINK_LAYER]


def test_the_table_covers_every_platform_command_of_every_version():
    for version in Version:
        assert set(platform_ids(version)) <= set(CASES), version


@pytest.mark.parametrize("version", list(Version), ids=lambda v: v.name)
async def test_every_platform_command_is_acted_on(tmp_path, version):
    with ModemSimulator() as sim:
        async with open_channel(sim.at_port) as channel, Platform() as platform:
            await platform.serve("tcp://127.0.0.1:0")
            terminal = Terminal(platform.url("tcp"), phone=PHONE, version=version,
                                register_info=REGISTER, camera=StaticCamera(), gnss=RouteGnss(),
                                modem_info=StaticModemInfo(),
                                params={0x0001: 0, 0x0002: 5, 0x0003: 0},
                                store_path=tmp_path / "blind.sqlite")
            async with terminal:
                ctx = Ctx(version, terminal, None, sim)
                terminal.voice = AtVoiceCalls(channel)
                terminal.audio = GeneratedAudio()
                terminal.on_text = lambda m: ctx.texts.append(m.text)
                terminal.on_upgrade = lambda t, m, f, package: ctx.upgrades.append(package) or 0
                terminal.on_pass_through = lambda kind, data: ctx.passed.append((kind, data))
                terminal.on_question = lambda q: q.answers[0].answer_id
                terminal.factory_params = {0x0001: 0, 0x0002: 5, 0x0003: 0}
                async with anyio.create_task_group() as tg:
                    tg.start_soon(terminal.run)
                    ctx.record = await platform.wait_for(
                        lambda: platform.terminals.get(PHONE) if PHONE in platform.terminals
                        and platform.terminals[PHONE].authenticated else None)
                    failures = await _run_table(platform, version, ctx)
                    audio = len(terminal.media_index.search(1))      # 0x8804: stored WAV
                    await terminal.close()
                    tg.cancel_scope.cancel()
    assert failures == []
    assert audio == 1
    if version is not Version.V2019:
        assert [m.answer_id for m in _seen(ctx, 0x0302)] == [4]     # on_question's choice
    assert _seen(ctx, 0x0108)[0].result == 0


async def _run_table(platform, version: Version, ctx: Ctx) -> list[str]:
    failures = []
    for msg_id in platform_ids(version):
        build, check = CASES[msg_id]
        reply = await platform.request(PHONE, build(version), timeout=10)
        if check is None:
            ok = False
        else:
            await anyio.sleep(0.05)                          # hooks run after the reply
            if msg_id == 0x8108:
                await platform.wait_for(lambda: _seen(ctx, 0x0108))
            ok = bool(check(ctx, reply))
        if not ok:
            failures.append(f"0x{msg_id:04X}: {reply!r}")
    return failures


async def test_server_switch_to_a_second_reference_platform_and_back(tmp_path):
    """0x8105 word 2 from the home platform: the terminal logs in to the second one with
    the given auth code (emergency state); word 1 from there sends it home."""
    async with Platform() as home, Platform(auth_codes={PHONE: "EMERG-7"}) as other:
        await home.serve("tcp://127.0.0.1:0")
        await other.serve("tcp://127.0.0.1:0")
        terminal = Terminal(home.url("tcp"), phone=PHONE, register_info=REGISTER,
                            params={0x0001: 0, 0x0002: 5, 0x0003: 0},
                            store_path=tmp_path / "blind.sqlite")
        terminal.min_backoff = 0.05
        async with terminal, anyio.create_task_group() as tg:
            tg.start_soon(terminal.run)
            await home.wait_for(lambda: PHONE in home.terminals
                                and home.terminals[PHONE].authenticated)
            home_code = terminal.auth_code
            port = other.address("tcp")[1]
            switch = TerminalControl.connect_server(conn_ctrl=0, auth_code="EMERG-7",
                                                    addr="127.0.0.1", tcp_port=port,
                                                    conn_timeout=1)
            assert (await home.request(PHONE, switch)).result == 0
            await other.wait_for(lambda: PHONE in other.terminals
                                 and other.terminals[PHONE].authenticated)
            assert other.terminals[PHONE].registration is None       # no re-registration
            assert terminal.emergency is not None
            back = TerminalControl.connect_server(conn_ctrl=1)
            assert (await other.request(PHONE, back)).result == 0
            with anyio.fail_after(10):
                while not (terminal.emergency is None and terminal.authenticated
                           and home.terminals[PHONE].connections >= 2):
                    await anyio.sleep(0.02)
            assert terminal.auth_code == home_code and home.terminals[PHONE].authenticated
            await terminal.close()
            tg.cancel_scope.cancel()
