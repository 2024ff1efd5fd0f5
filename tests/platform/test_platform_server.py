"""The reference platform against TerminalSession-driven clients over real TCP and UDP."""
from __future__ import annotations

import anyio
import pytest

from jt808.codec import (LocationBatchReport, MediaUploadResponse, PlatformGeneralResponse,
                         QueryTerminalParams, QueryTerminalParamsResponse, TextMessage)
from jt808.demo import MiniTerminal, location
from jt808.errors import ResponseTimeout, TransportError
from jt808.frame import Version
from jt808.platform import Platform

pytestmark = pytest.mark.anyio

LISTEN = ["tcp://127.0.0.1:0", "udp://127.0.0.1:0"]


async def _serve(**options) -> Platform:
    platform = Platform(**options)
    await platform.__aenter__()
    await platform.serve(LISTEN)
    return platform


async def test_bound_addresses_after_port_zero():
    async with Platform() as platform:
        await platform.serve(LISTEN)
        schemes = [scheme for scheme, _ in platform.bound_addresses]
        assert schemes == ["tcp", "udp"]
        for scheme, (host, port) in platform.bound_addresses:
            assert host == "127.0.0.1" and port > 0
        assert platform.url("udp") == f"udp://127.0.0.1:{platform.address('udp')[1]}"
        with pytest.raises(KeyError):
            platform.url("memory")


async def test_serve_outside_context_is_refused():
    with pytest.raises(RuntimeError, match="async with"):
        await Platform().serve(LISTEN)


async def test_many_terminals_register_authenticate_and_report_concurrently():
    count, reports = 12, 3
    async with Platform() as platform:
        await platform.serve(LISTEN)

        async def one(index: int) -> None:
            scheme = "tcp" if index % 2 else "udp"
            version = (Version.V2011, Version.V2013, Version.V2019)[index // 2 % 3]
            phone = f"1380000{index:04d}"
            async with await MiniTerminal.connect(platform.url(scheme), phone, version) as t:
                code = await t.login()
                assert code == platform.terminals[phone].auth_code
                for n in range(reports):
                    reply = await t.report(location(39.9 + index / 100, 116.3 + n / 100))
                    assert reply == PlatformGeneralResponse(reply.reply_serial, 0x0200, 0)

        async with anyio.create_task_group() as tg:
            for index in range(count):
                tg.start_soon(one, index)
        assert len(platform.terminals) == count
        for index in range(count):
            record = platform.terminals[f"1380000{index:04d}"]
            assert [round(p.latitude, 4) for p in record.positions] == \
                [round(39.9 + index / 100, 4)] * reports
            assert [h.msg_id for h, _ in record.received] == [0x0100, 0x0102] + [0x0200] * reports


async def test_2011_terminals_need_the_version_given():
    # 2011 and 2013 headers look alike, so a 2011 platform is configured as one
    async with Platform(session_options={"version": Version.V2011}) as platform:
        await platform.serve(LISTEN)
        async with await MiniTerminal.connect(platform.url("tcp"), "13800000011",
                                              Version.V2011) as t:
            await t.login()
            assert (await t.report()).result == 0
        registration = platform.terminals["13800000011"].registration
        assert registration.terminal_model == "MINI"


async def test_2011_terminal_is_told_apart_by_its_registration():
    async with Platform() as platform:
        await platform.serve(LISTEN)
        async with await MiniTerminal.connect(platform.url("tcp"), "13800000012",
                                              Version.V2011) as t:
            await t.login()
        # a new link that starts with 0x0102 keeps the version learnt for the phone
        async with await MiniTerminal.connect(platform.url("tcp"), "13800000012",
                                              Version.V2011) as t:
            assert (await t.authenticate(platform.terminals["13800000012"].auth_code)).result == 0
            assert (await t.report()).result == 0
        record = platform.terminals["13800000012"]
        assert record.version is Version.V2011
        assert record.registration.terminal_model == "MINI"


async def test_wrong_auth_code_is_refused_and_right_one_accepted():
    async with Platform() as platform:
        await platform.serve(LISTEN)
        async with await MiniTerminal.connect(platform.url("tcp"), "13912345678") as t:
            await t.register()
            refused = await t.authenticate("not-the-code")
            assert refused.reply_id == 0x0102 and refused.result == 1
            assert not platform.terminals["13912345678"].authenticated
            accepted = await t.authenticate()
            assert accepted.result == 0
            assert platform.terminals["13912345678"].authenticated


async def test_unregistered_phone_cannot_authenticate():
    async with Platform() as platform:
        await platform.serve(LISTEN)
        async with await MiniTerminal.connect(platform.url("udp"), "13912340000") as t:
            reply = await t.authenticate("guess")
            assert reply.result == 1


async def test_auth_code_is_remembered_per_phone_across_connections():
    async with Platform(auth_codes={"13900000001": "PRESET"}) as platform:
        await platform.serve(LISTEN)
        async with await MiniTerminal.connect(platform.url("tcp"), "13900000001") as t:
            assert await t.login() == "PRESET"
        async with await MiniTerminal.connect(platform.url("tcp"), "13900000001") as t:
            assert (await t.authenticate("PRESET")).result == 0
        await platform.wait_for(lambda: "13900000001" not in platform.connections)
        assert platform.terminals["13900000001"].connections == 2


@pytest.mark.parametrize("scheme", ["tcp", "udp"])
async def test_split_upload_with_dropped_packet_completes_via_resend(scheme):
    dropped = []

    def drop_third_once(header) -> bool:
        if header.msg_id == 0x0801 and header.packet == (6, 3) and not dropped:
            dropped.append(header.serial)
            return True
        return False

    data = bytes(range(256)) * 2
    async with Platform(drop_frame=drop_third_once) as platform:
        await platform.serve(LISTEN)
        async with await MiniTerminal.connect(platform.url(scheme), "13600000001",
                                              max_body=100) as t:
            await t.login()
            final = await t.upload_media(42, data)
        assert final == MediaUploadResponse(42, ())
        assert len(dropped) == 1
        [upload] = platform.terminals["13600000001"].messages(0x0801)
        assert upload.media_id == 42 and upload.media_data == data


async def test_request_query_params_gets_0104():
    async with Platform() as platform:
        await platform.serve(LISTEN)
        async with await MiniTerminal.connect(platform.url("tcp"), "13700000001") as t:
            await t.login()
            reply = await platform.request("13700000001", QueryTerminalParams(), timeout=5)
        assert isinstance(reply, QueryTerminalParamsResponse)
        assert {p.param_id: p.value for p in reply.params} == {1: 30, 2: 10, 3: 3}
        received = platform.terminals["13700000001"].messages(0x0104)
        assert received == [reply]


async def test_request_general_command_gets_0001():
    async with Platform() as platform:
        await platform.serve(LISTEN)
        async with await MiniTerminal.connect(platform.url("udp"), "13700000002") as t:
            await t.login()
            reply = await platform.request("13700000002", TextMessage(0x01, "hello"), timeout=5)
            assert reply.reply_id == 0x8300 and reply.result == 0
            assert t.commands == [TextMessage(0x01, "hello")]


async def test_request_to_unknown_terminal_is_a_transport_error():
    async with Platform() as platform:
        await platform.serve(LISTEN)
        with pytest.raises(TransportError, match="not connected"):
            await platform.request("10000000000", QueryTerminalParams())


async def test_request_times_out_when_terminal_stays_quiet():
    async with Platform() as platform:
        await platform.serve(LISTEN)
        async with await MiniTerminal.connect(platform.url("tcp"), "13700000003") as t:
            await t.login()
            t.driver._silent = True                  # the terminal stops talking
            with pytest.raises(ResponseTimeout):
                await platform.request("13700000003", QueryTerminalParams(), timeout=0.3)


async def test_drop_reports_leaves_reports_unacknowledged_then_acks_batch():
    async with Platform(drop_reports=2) as platform:
        await platform.serve(LISTEN)
        async with await MiniTerminal.connect(platform.url("tcp"), "13500000001") as t:
            await t.login()
            for _ in range(2):
                with pytest.raises(ResponseTimeout):
                    await t.report(timeout=0.2)
            assert (await t.report()).result == 0
            reply = await t.batch([location(), location()])
            assert reply.reply_id == 0x0704 and reply.result == 0
        record = platform.terminals["13500000001"]
        assert len(record.unacknowledged) == 2
        assert len(record.positions) == 5
        assert isinstance(record.batches[0], LocationBatchReport)


async def test_ack_filter_refuses_selected_messages():
    async with Platform(ack_filter=lambda phone, header, msg: msg.speed < 100) as platform:
        await platform.serve(LISTEN)
        async with await MiniTerminal.connect(platform.url("tcp"), "13500000002") as t:
            await t.login()
            assert (await t.report(location(speed=50))).result == 0
            with pytest.raises(ResponseTimeout):
                await t.report(location(speed=120), timeout=0.2)


async def test_silent_platform_answers_nothing_but_records():
    async with Platform(silent=True) as platform:
        await platform.serve(LISTEN)
        async with await MiniTerminal.connect(platform.url("tcp"), "13500000003") as t:
            with pytest.raises(ResponseTimeout):
                await t.register(timeout=0.3)
        assert platform.terminals["13500000003"].messages(0x0100)


async def test_garbage_does_not_stop_the_platform():
    async with Platform() as platform:
        await platform.serve(LISTEN)
        host, port = platform.address("tcp")
        async with await anyio.connect_tcp(host, port) as raw:
            await raw.send(b"\x7e\x01\x02\x03\x7e junk \x7e")
        async with await MiniTerminal.connect(platform.url("tcp"), "13500000004") as t:
            assert await t.login()


async def test_terminal_disconnect_fails_pending_request():
    async with Platform() as platform:
        await platform.serve(LISTEN)
        t = await MiniTerminal.connect(platform.url("tcp"), "13500000005")
        async with t:
            await t.login()
            t.driver._silent = True

            async def hang_up() -> None:
                await anyio.sleep(0.1)
                await t.aclose()
            async with anyio.create_task_group() as tg:
                tg.start_soon(hang_up)
                with pytest.raises(TransportError):
                    await platform.request("13500000005", QueryTerminalParams(), timeout=5)


async def test_memory_listener_serves_too():
    async with Platform() as platform:
        await platform.serve("memory://platform-test")
        assert platform.url("memory") == "memory://platform-test"
        async with await MiniTerminal.connect("memory://platform-test", "13300000001") as t:
            await t.login()
            assert (await t.report()).result == 0
        assert len(platform.terminals["13300000001"].positions) == 1


async def test_bad_listen_url_raises_at_serve():
    async with Platform() as platform:
        with pytest.raises(ValueError, match="no port"):
            await platform.serve("tcp://127.0.0.1")
