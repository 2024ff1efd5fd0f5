"""``Terminal(sms_fallback=...)`` without a modem: the fallback link is a datagram
``memory://`` URL (the bearer is forced to ``sms``), the primary a refused loopback TCP
port. The real SMS path (modem simulator + ``SmsCentreListener``) is
tests/e2e/test_sms_fallback.py."""
from __future__ import annotations

import socket

import anyio
import pytest

from jt808.codec import TerminalRegister
from jt808.platform import Platform
from jt808.terminal import Terminal

pytestmark = pytest.mark.anyio

PHONE = "13800138066"
REGISTER = TerminalRegister(31, 115, "70111", "FALLBK", "T1", 1, "A12345")
PARAMS = {0x0001: 0, 0x0002: 1, 0x0003: 0, 0x0006: 2, 0x0007: 0}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def refused_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"tcp://127.0.0.1:{probe.getsockname()[1]}"


async def until(predicate, timeout: float = 5.0) -> None:
    with anyio.fail_after(timeout):
        while not predicate():
            await anyio.sleep(0.01)


def test_options_are_checked() -> None:
    with pytest.raises(ValueError):
        Terminal("tcp://127.0.0.1:1", phone=PHONE, sms_fallback="memory://x",
                 sms_fallback_after=0)
    with pytest.raises(ValueError):
        Terminal("tcp://127.0.0.1:1", phone=PHONE, primary_retry_interval=0)


async def test_no_fallback_configured_keeps_retrying_the_primary(tmp_path) -> None:
    terminal = Terminal(refused_url(), phone=PHONE, register_info=REGISTER, params=PARAMS,
                        store_path=tmp_path / "b.sqlite", sms_fallback_after=1)
    terminal.min_backoff = terminal.max_backoff = 0.01
    with anyio.fail_after(5):
        async with terminal, anyio.create_task_group() as tg:
            tg.start_soon(terminal.run)
            await anyio.sleep(0.3)
            assert not terminal.on_sms_fallback and terminal.error is not None
            await terminal.close()


async def test_falls_back_after_n_failures_with_sms_bearer(tmp_path) -> None:
    primary = refused_url()
    with anyio.fail_after(10):
        async with Platform() as platform:
            await platform.serve("memory://fallback-unit?kind=datagram")
            terminal = Terminal(primary, phone=PHONE, register_info=REGISTER, params=PARAMS,
                                store_path=tmp_path / "b.sqlite", bearer="tcp",
                                sms_fallback="memory://fallback-unit?kind=datagram",
                                sms_fallback_after=3, primary_retry_interval=0.2)
            terminal.min_backoff = 0.01
            async with terminal, anyio.create_task_group() as tg:
                tg.start_soon(terminal.run)
                await until(lambda: terminal.authenticated)
                assert terminal.on_sms_fallback
                assert terminal.session.bearer == "sms"     # over the bearer= option
                assert terminal.session.retry.first_timeout == 2  # 0x0006, not 0x0002
                await anyio.sleep(0.5)                      # probes fail: stays on SMS
                assert terminal.on_sms_fallback and terminal.authenticated
                # the primary opens: back to it (bearer option tcp)
                host, port = primary.split("//")[1].split(":")
                await platform.serve(f"tcp://{host}:{port}")
                await until(lambda: not terminal.on_sms_fallback and terminal.authenticated
                            and terminal.session.bearer == "tcp")
                await terminal.close()
