"""ATChannel over a real pty against a scripted peer (quectel-at.md §1-§3)."""
from __future__ import annotations

import socket
import threading

import anyio
import pytest

from hal.errors import ChannelClosedError, ModemError, ModemTimeout
from hal.quectel import ATResult, open_channel
from quectel_fake_peer import FakePeer

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture
def peer():
    p = FakePeer()
    yield p
    p.close()


async def test_command_with_echo_on(peer):
    async with open_channel(peer.path) as ch:
        result = await ch.command("AT+GSN", timeout=5)       # echo on: "AT+GSN\r\r\n..." (§1)
        assert result == ATResult("AT+GSN", ("867584030123454",), "OK")
        await ch.command("ATE0", timeout=5)
        assert (await ch.command("AT+CSQ", timeout=5)).lines == ("+CSQ: 24,99",)


async def test_error_and_cme(peer):
    peer.replies["AT+QGPSLOC=2"] = "\r\n+CME ERROR: 516\r\n"
    async with open_channel(peer.path) as ch:
        with pytest.raises(ModemError) as info:
            await ch.command("AT+NOPE", timeout=5)
        assert info.value.final == "ERROR" and info.value.code is None
        with pytest.raises(ModemError) as info:
            await ch.command("AT+QGPSLOC=2", timeout=5)
        assert (info.value.kind, info.value.code) == ("CME", 516)


async def test_timeout_then_channel_still_usable(peer):
    peer.silent.add("AT+SLOW")
    async with open_channel(peer.path) as ch:
        with pytest.raises(ModemTimeout):
            await ch.command("AT+SLOW", timeout=0.3)
        assert (await ch.command("AT", timeout=5)).final == "OK"


async def test_data_after_prompt_is_binary_safe_section2(peer):
    payload = bytes(range(256)) + b"\r\n\x1a\x1bOK\r\n"
    async with open_channel(peer.path) as ch:
        await ch.command("ATE0", timeout=5)
        result = await ch.command(f"AT+QISEND=0,{len(payload)}", data=payload, timeout=5)
        assert result.final == "SEND OK"
    assert bytes(peer.sent[0]) == payload


async def test_qird_data_reaches_result_section3(peer):
    rx = bytes.fromhex("7E800100050138001380000001002A000200077E")
    peer.rx[0] = bytearray(rx)
    async with open_channel(peer.path) as ch:
        result = await ch.command("AT+QIRD=0,1500", timeout=5)
    assert result.lines == ("+QIRD: 20",) and result.data == rx


async def test_urc_routing_and_unhandled(peer):
    got = []
    async with open_channel(peer.path) as ch:
        unsubscribe = ch.on_urc("+QIURC:", got.append)
        peer.inject('+QIURC: "closed",3')
        peer.inject("+QIND: SMS DONE")
        await ch.command("AT", timeout=5)                  # URCs before the reply are routed first
        with anyio.fail_after(5):
            while len(ch.unhandled) < 1 or not got:
                await anyio.sleep(0.01)
        unsubscribe()
        peer.inject('+QIURC: "closed",4')
        await ch.command("AT", timeout=5)
        with anyio.fail_after(5):
            while len(ch.unhandled) < 2:
                await anyio.sleep(0.01)
    assert [u.text for u in got] == ['+QIURC: "closed",3']
    assert [u.text for u in ch.unhandled] == ["+QIND: SMS DONE", '+QIURC: "closed",4']


async def test_commands_are_serialised(peer):
    async with open_channel(peer.path) as ch:
        await ch.command("ATE0", timeout=5)
        results = {}

        async def one(cmd):
            results[cmd] = await ch.command(cmd, timeout=5)

        async with anyio.create_task_group() as tg:
            for cmd in ("AT+GSN", "AT+CSQ", "AT+CREG?", "AT+CIMI"):
                tg.start_soon(one, cmd)
    assert results["AT+GSN"].lines == ("867584030123454",)
    assert results["AT+CSQ"].lines == ("+CSQ: 24,99",)
    assert results["AT+CREG?"].lines == ("+CREG: 0,1",)
    assert results["AT+CIMI"].lines == ("460001234567890",)


async def test_error_before_prompt_writes_no_data(peer):
    peer.replies["AT+QISEND=5,3"] = "\r\nERROR\r\n"
    async with open_channel(peer.path) as ch:
        with pytest.raises(ModemError):
            await ch.command("AT+QISEND=5,3", data=b"abc", timeout=5)
        assert (await ch.command("AT", timeout=5)).final == "OK"
    assert 5 not in peer.sent


async def test_socket_url_and_peer_disconnect():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]

    def serve():
        conn, _ = server.accept()
        buf = b""
        while b"\r" not in buf:
            buf += conn.recv(100)
        conn.sendall(b"\r\n+CSQ: 31,0\r\n\r\nOK\r\n")
        conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    async with open_channel(f"socket://127.0.0.1:{port}") as ch:
        assert (await ch.command("AT+CSQ", timeout=5)).lines == ("+CSQ: 31,0",)
        with anyio.fail_after(5):
            while not ch.closed:
                await anyio.sleep(0.02)
        with pytest.raises(ChannelClosedError):
            await ch.command("AT", timeout=5)
    thread.join(2)
    server.close()


async def test_over_long_line_is_dropped_not_fatal(peer):
    async with open_channel(peer.path, max_line=64) as ch:
        await ch.command("ATE0", timeout=5)
        peer.replies["AT+CSQ"] = "\r\n" + "X" * 500 + "\r\n\r\n+CSQ: 1,2\r\n\r\nOK\r\n"
        assert (await ch.command("AT+CSQ", timeout=5)).lines == ("+CSQ: 1,2",)
        assert ch.dropped_lines == 1
