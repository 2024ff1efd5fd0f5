"""The terminal over real transports: modem device URLs opened and closed by one
task, the retry bearer from the transport or the option, cancellation by the caller."""
from __future__ import annotations


import anyio
import pytest


pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


# -- modem device URLs: the link opens and closes in one task; bearer from transport ---

def _register():
    from jt808.codec import TerminalRegister
    return TerminalRegister(34, 100, "70111", "FIXES", "T000001", 1, "A12345")


async def test_quectel_device_url_login_report_reconnect_close(tmp_path) -> None:
    """``Terminal("quectel+tcp:///dev/pts/N?host=…&port=…")`` against the reference
    ``Platform`` through the simulated modem on a real pty: login, a report, a reconnect
    (the port is opened anew), a report, close; no cancel-scope error."""
    import hal.modem_sim as sim_module
    from jt808.demo import location
    from jt808.platform import Platform
    from jt808.terminal import Terminal
    phone = "13900001234"
    with sim_module.ModemSimulator() as sim:
        with anyio.fail_after(20):
            async with Platform() as platform:
                await platform.serve("tcp://127.0.0.1:0")
                host, port = platform.address("tcp")
                url = f"quectel+tcp://{sim.at_port}?host={host}&port={port}"
                terminal = Terminal(url, phone=phone, register_info=_register(),
                                    params={0x0001: 0, 0x0002: 3, 0x0003: 1},
                                    store_path=tmp_path / "blind.sqlite")
                async with terminal:
                    await terminal.connect()
                    assert terminal.session.bearer == "tcp"
                    assert (await terminal.login()).result == 0
                    assert (await terminal.report_location(location(39.9, 116.3))).result == 0
                    await terminal.disconnect()
                    assert not terminal.connected
                    await terminal.connect()
                    assert (await terminal.login()).result == 0
                    assert (await terminal.report_location(location(39.8, 116.3))).result == 0
                    await terminal.close()
                record = platform.terminals[phone]
                assert [round(p.latitude, 1) for p in record.positions] == [39.9, 39.8]


async def test_device_url_that_cannot_open_raises_transport_error_in_connect() -> None:
    from jt808.errors import TransportError
    from jt808.terminal import Terminal
    terminal = Terminal("quectel+tcp:///dev/does-not-exist?host=127.0.0.1&port=1",
                        phone="13900001234")
    async with terminal:
        with pytest.raises(TransportError):
            await terminal.connect()
        assert not terminal.connected and terminal.error is not None


class _PluginDatagramBackend:
    """``fixes-dgram://name``: a plug-in scheme the terminal knows nothing about, whose
    transports are datagram memory ends (``kind == "datagram"``)."""

    async def open_transport(self, url, **options):
        from jt808.transport import open_transport
        return await open_transport(f"memory://{url.netloc}?kind=datagram")


PLUGIN = _PluginDatagramBackend()


@pytest.mark.parametrize("bearer, expected", [(None, "udp"), ("sms", "sms")])
async def test_bearer_comes_from_the_transport_or_the_option(bearer, expected) -> None:
    from jt808.session import TerminalSession  # noqa: F401  (the session's retry policy)
    from jt808.terminal import Terminal
    from jt808.transport import open_listener, register_transport
    register_transport("fixes-dgram", f"{__name__}:PLUGIN")
    listener = await open_listener("memory://fixes-bearer?kind=datagram")
    try:
        terminal = Terminal("fixes-dgram://fixes-bearer", phone="13900001234", bearer=bearer,
                            params={0x0002: 9, 0x0003: 0, 0x0004: 4, 0x0005: 0,
                                    0x0006: 30, 0x0007: 0})
        assert terminal.session.bearer == (bearer or "tcp")     # nothing known before
        async with terminal:
            await terminal.connect()
            assert terminal.session.bearer == expected
            timeouts = {"udp": 4, "sms": 30}
            assert terminal.session.retry.first_timeout == timeouts[expected]
            await terminal.close()
    finally:
        await listener.aclose()


@pytest.mark.parametrize("url, expected", [
    ("tcp://127.0.0.1:1", "tcp"), ("udp://127.0.0.1:1", "udp"),
    ("quectel+udp:///dev/x?host=h&port=1", "udp"), ("shared-modem+udp://?host=h", "udp"),
    ("sms:///dev/x?number=1", "sms"), ("matrix-shared-sms://?number=1", "sms"),
    ("quectel+tcp:///dev/x", "tcp")])
def test_bearer_guessed_from_the_scheme_before_connecting(url, expected) -> None:
    from jt808.terminal import Terminal
    assert Terminal(url, phone="1").session.bearer == expected


def test_bad_bearer_option() -> None:
    from jt808.terminal import Terminal
    with pytest.raises(ValueError, match="bearer"):
        Terminal("tcp://127.0.0.1:1", phone="1", bearer="carrier-pigeon")


async def test_sms_transport_object_is_sms_bearer() -> None:
    from jt808.terminal._terminal import bearer_of_transport
    from jt808.transport._sms import SmsTransport
    fake = SmsTransport.__new__(SmsTransport)
    assert bearer_of_transport(fake) == "sms"


def test_run_stopped_by_the_callers_cancel_scope_unwinds_cleanly(tmp_path) -> None:
    """``with anyio.move_on_after(...): await terminal.run()`` is the anyio way to stop a
    terminal: it must close the link and leave the caller's cancel scopes intact."""
    from hal.gnss import RouteGnss
    from jt808.codec import TerminalRegister
    from jt808.platform import Platform
    from jt808.terminal import Terminal

    async def main() -> tuple[bool, int]:
        async with Platform() as platform:
            await platform.serve("tcp://127.0.0.1:0")
            terminal = Terminal(platform.url("tcp"), phone="013800138000",
                                register_info=TerminalRegister(44, 300, "QUEC", "EC200U", "T1",
                                                               1, "B12345"),
                                gnss=RouteGnss(), store_path=tmp_path / "blind.sqlite",
                                params={0x0029: 1})
            with anyio.fail_after(20):
                with anyio.move_on_after(2):
                    await terminal.run()
            record = platform.terminals.get("013800138000")
            return terminal.connected, len(record.positions) if record else 0

    connected, positions = anyio.run(main)
    assert connected is False and positions >= 1
