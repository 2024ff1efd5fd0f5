"""0x8301-0x8304, 0x8400, 0x8401 (issue 15): kept in the terminal's store, answered,
exposed to the application; 0x0301/0x0302/0x0303 sent from that state."""
from __future__ import annotations

import anyio
import pytest

from hal.modem import AtVoiceCalls
from hal.modem_sim import ModemSimulator
from hal.quectel import open_channel
from jt808.codec import (AnswerItem, CallBack, Contact, EventItem, EventSetting, InfoItem,
                         InfoMenuSetting, InfoService, PhoneBookSetting, QuestionIssue)
from jt808.frame import Version
from jt808.terminal import Terminal

from terminal_platform import anyio_backend  # noqa: F401
from test_commands_params import PHONE, linked

pytestmark = pytest.mark.anyio


async def test_events_set_append_modify_delete_persist_and_report(tmp_path):
    async with linked(tmp_path) as (terminal, link, platform):
        ok = await link.request(EventSetting(1, (EventItem(1, "jam"), EventItem(2, "fire"))))
        assert ok.result == 0 and terminal.events == {1: "jam", 2: "fire"}
        assert (await link.request(EventSetting(2, (EventItem(3, "rain"),)))).result == 0
        assert (await link.request(EventSetting(3, (EventItem(2, "FIRE"), EventItem(9, "x"))))
                ).result == 0
        assert terminal.events == {1: "jam", 2: "FIRE", 3: "rain"}     # 9 was not held
        assert (await link.request(EventSetting(4, (EventItem(1),)))).result == 0
        assert terminal.events == {2: "FIRE", 3: "rain"}
        assert (await link.request(EventSetting(7, ()))).result == 1   # unknown set type
        reply = await terminal.report_event(3)
        assert reply.result == 0 and platform.of(0x0301)[-1].event_id == 3
        with pytest.raises(ValueError):
            await terminal.report_event(1)
    again = Terminal("tcp://127.0.0.1:9", phone=PHONE, store_path=tmp_path / "blind.sqlite")
    assert again.events == {2: "FIRE", 3: "rain"}


async def test_event_list_is_bounded(tmp_path):
    async with linked(tmp_path) as (terminal, link, _):
        many = tuple(EventItem(i, "e") for i in range(200))
        assert (await link.request(EventSetting(1, many))).result == 0
        more = tuple(EventItem(i, "e") for i in range(200, 256))     # 256 > 255
        assert (await link.request(EventSetting(2, more))).result == 1
        assert len(terminal.events) == 200


async def test_question_answered_by_the_hook(tmp_path):
    async with linked(tmp_path) as (terminal, link, platform):
        terminal.on_question = lambda q: q.answers[1].answer_id
        ask = QuestionIssue(0, "OK?", (AnswerItem(1, "yes"), AnswerItem(2, "no")))
        assert (await link.request(ask)).result == 0
        await platform.until(lambda: platform.of(0x0302))
        [answer] = platform.of(0x0302)
        assert answer.answer_id == 2 and terminal.questions == {}


async def test_question_without_hook_waits_for_the_app(tmp_path):
    async with linked(tmp_path) as (terminal, link, platform):
        ask = QuestionIssue(0, "Load?", (AnswerItem(5, "done"),))
        assert (await link.request(ask)).result == 0
        [(serial, kept)] = terminal.questions.items()
        assert kept == ask and platform.of(0x0302) == []
        with pytest.raises(ValueError):
            await terminal.answer_question(serial, 6)               # not a candidate
        assert (await terminal.answer_question(serial, 5)).result == 0
        assert platform.of(0x0302)[0].reply_serial == serial


async def test_info_menu_subscribe_and_service(tmp_path):
    got = []
    async with linked(tmp_path) as (terminal, link, platform):
        terminal.on_info = lambda kind, text: got.append((kind, text))
        menu = InfoMenuSetting(1, (InfoItem(1, "news"), InfoItem(2, "weather")))
        assert (await link.request(menu)).result == 0
        assert terminal.info_menu == {1: "news", 2: "weather"}
        assert (await terminal.subscribe_info(2)).result == 0
        assert [(d.info_type, d.onoff) for d in platform.of(0x0303)] == [(2, 1)]
        with pytest.raises(ValueError):
            await terminal.subscribe_info(7)
        assert (await link.request(InfoService(2, "sunny"))).result == 0
        await platform.until(lambda: got)
        assert got == [(2, "sunny")] and terminal.text_store.info == {2: "sunny"}
        assert (await link.request(InfoMenuSetting(0))).result == 0     # delete all
        assert terminal.info_menu == {} and terminal.text_store.subscribed == set()


async def test_2019_answers_the_deleted_messages_not_supported(tmp_path):
    from jt808.codec import RawMessage
    async with linked(tmp_path, version=Version.V2019) as (terminal, link, _):
        for msg_id, body in ((0x8301, b"\x00\x00"), (0x8302, b"\x00\x00"),
                             (0x8303, b"\x00\x00"), (0x8304, b"\x01\x00\x00")):
            reply = await link.request(RawMessage(msg_id, body))
            assert reply.result == 3 and reply.reply_id == msg_id
        assert terminal.events == {}


async def test_phone_book_kept_and_bounded(tmp_path):
    async with linked(tmp_path) as (terminal, link, _):
        book = PhoneBookSetting(1, (Contact(3, "10086", "ops"), Contact(1, "110", "police")))
        assert (await link.request(book)).result == 0
        change = PhoneBookSetting(3, (Contact(2, "10010", "ops"),))
        assert (await link.request(change)).result == 0
        assert terminal.phone_book.contacts["ops"].phone == "10010"
        assert (await link.request(PhoneBookSetting(9))).result == 1
        for start in range(0, 500, 250):
            chunk = tuple(Contact(3, str(10_000 + i), f"n{i}") for i in range(start, start + 250))
            assert (await link.request(PhoneBookSetting(2, chunk))).result == (
                0 if start == 0 else 1)                              # 502 > 500
    again = Terminal("tcp://127.0.0.1:9", phone=PHONE, store_path=tmp_path / "blind.sqlite")
    assert len(again.phone_book.contacts) == 252


async def test_call_back_dials_the_modem_simulator(tmp_path):
    with ModemSimulator() as sim:
        async with open_channel(sim.at_port) as channel:
            async with linked(tmp_path) as (terminal, link, _):
                assert (await link.request(CallBack(0, "13912345678"))).result == 3  # no HAL
                terminal.voice = AtVoiceCalls(channel)
                assert (await link.request(CallBack(1, "13912345678"))).result == 0
                assert (await terminal.voice.calls())[0].number == "13912345678"
                assert sim.voice.speaker_level == 0 and not sim.voice.mic_muted  # listen in
                await terminal.voice.hang_up()
                book = PhoneBookSetting(1, (Contact(1, "110", "police"),))   # incoming only
                assert (await link.request(book)).result == 0
                assert (await link.request(CallBack(0, "110"))).result == 1
                assert (await link.request(CallBack(0, "1;ATH"))).result == 1
        assert sim.voice.dialled == ["13912345678"]
