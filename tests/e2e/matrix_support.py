"""Support for the end-to-end matrix: the reference ``Platform`` on 127.0.0.1 and the real
``Terminal`` reaching it over every transport (tcp, udp, quectel+tcp, quectel+udp through
the modem simulator on a real pty, sms through the simulator's SMS centre).

``jt808.platform.Platform`` listens only where ``open_listener`` can (tcp, udp, memory),
so SMS reaches it through the library's ``jt808.platform.SmsCentreListener`` on the
simulator's centre, opened by the test-only scheme ``matrix-sms://`` (registered with
``register_transport``) so the matrix can keep listing URLs
(``platform.serve("matrix-sms://")``).
"""
from __future__ import annotations

import contextlib
import math
from collections.abc import AsyncIterator
from typing import Any

import anyio

from jt808.codec import TerminalRegister
from jt808.frame import Version
from jt808.platform import SmsCentreListener
from jt808.transport import register_transport

PLATFORM_NUMBER = "+8610648990001"
TERMINAL_NUMBER = "+8613800138000"            # the simulator's own number (ModemConfig)
SMS_SCHEME = "matrix-sms"

VERSIONS = [Version.V2011, Version.V2013, Version.V2019]
TRANSPORTS = ["tcp", "udp", "quectel+tcp", "quectel+udp", "sms"]
MODEM_TRANSPORTS = {"quectel+tcp", "quectel+udp", "sms"}

#: short link parameters: no heartbeat; reply timeout 2 s (tcp/udp, one retransmission),
#: 8 s over SMS (a 1000-byte frame is 8 SMS through the simulated AT port), none again.
FAST_PARAMS = {0x0001: 0, 0x0002: 2, 0x0003: 1, 0x0004: 2, 0x0005: 1,
               0x0006: 8, 0x0007: 0}
#: body bytes per 0x0801 subpacket: a photo comes in several packets everywhere.
PACKET_BODY = {"sms": 256}
DEFAULT_PACKET_BODY = 512


def register_info(version: Version) -> TerminalRegister:
    """A registration valid in every version (2011/2013 limit model 20 and id 7 bytes)."""
    return TerminalRegister(34, 100, "70111", "MATRIX", f"T{int(version) % 1000:06d}"[:7],
                            1, "A12345")


def phone_for(version: Version, transport: str) -> str:
    """A distinct phone per cell (the platform keys its records by phone)."""
    index = VERSIONS.index(version) * len(TRANSPORTS) + TRANSPORTS.index(transport)
    return f"1390000{index:04d}"


class _SmsBackend:
    """``matrix-sms://``: ``open_listener`` serves ``centre`` with the library's
    ``SmsCentreListener`` for ``PLATFORM_NUMBER``; ``gateway`` is the transport it
    accepted last, with ``sent`` listing the datagrams the platform sent on it."""

    centre: Any = None
    gateway: Any = None

    async def open_listener(self, url: Any, **options: Any) -> Any:
        if self.centre is None:
            raise RuntimeError("set matrix_support.SMS_BACKEND.centre first")
        return _RecordingSmsListener(self, self.centre, PLATFORM_NUMBER)

    async def open_transport(self, url: Any, **options: Any) -> Any:
        raise RuntimeError("matrix-sms:// is the platform's end only")


class _RecordingSmsListener(SmsCentreListener):
    """The library listener; each transport it accepts lists what it sent in ``sent``."""

    def __init__(self, backend: _SmsBackend, *args: Any) -> None:
        super().__init__(*args)
        self.backend = backend

    async def accept(self) -> Any:
        transport = await super().accept()
        transport.sent = []
        send = transport.send

        async def recording_send(datagram: bytes) -> None:
            transport.sent.append(bytes(datagram))
            await send(datagram)

        transport.send = recording_send
        self.backend.gateway = transport
        return transport


SMS_BACKEND = _SmsBackend()
register_transport(SMS_SCHEME, f"{__name__}:SMS_BACKEND")


class _SharedModem:
    """``matrix-shared-<kind>://?…``: ``<kind>://?…`` over the driver in ``modem``, so
    the cells keep giving ``Terminal`` a URL (``jt808.demo.shared_modem`` gives a URL
    plus ``transport_options`` instead)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.modem: Any = None

    async def open_transport(self, url: Any, **options: Any) -> Any:
        from jt808.transport import open_transport
        return await open_transport(f"{self.kind}://?{url.query}", modem=self.modem, **options)


SHARED_SMS = _SharedModem("sms")
register_transport("matrix-shared-sms", f"{__name__}:SHARED_SMS")
SHARED_QUECTEL_TCP = _SharedModem("quectel+tcp")
SHARED_QUECTEL_UDP = _SharedModem("quectel+udp")
SHARED_QUECTEL = {"quectel+tcp": SHARED_QUECTEL_TCP, "quectel+udp": SHARED_QUECTEL_UDP}
register_transport("matrix-shared-quectel+tcp", f"{__name__}:SHARED_QUECTEL_TCP")
register_transport("matrix-shared-quectel+udp", f"{__name__}:SHARED_QUECTEL_UDP")

#: bearer whose link parameters (0x0002-0x0007) the terminal must use per transport.
BEARERS = {"tcp": "tcp", "udp": "udp", "quectel+tcp": "tcp", "quectel+udp": "udp",
           "sms": "sms"}


def direct_url(transport: str, platform: Any, sim: Any) -> str:
    """The URL a user would give the terminal for this transport."""
    if transport in ("tcp", "udp"):
        host, port = platform.address(transport)
        return f"{transport}://{host}:{port}"
    if transport == "sms":
        return f"sms://{sim.at_port}?number={PLATFORM_NUMBER}"
    kind = transport.split("+", 1)[1]
    host, port = platform.address(kind)
    return f"{transport}://{sim.at_port}?host={host}&port={port}"


@contextlib.asynccontextmanager
async def terminal_url(transport: str, platform: Any, sim: Any) -> AsyncIterator[str]:
    """The URL to give ``Terminal`` for ``transport``.

    A modem URL with a device path makes each transport open the AT port itself and
    close it from the terminal's driver task, which anyio refuses ("exit a cancel scope
    that isn't the current task's"); so, as ``jt808 run`` does, the port is opened
    here once and the terminal gets a URL whose transports share that driver
    (``shared-modem+tcp/udp`` from ``jt808.platform``; ``matrix-shared-sms`` for SMS).
    """
    url = direct_url(transport, platform, sim)
    if transport in ("tcp", "udp"):
        yield url
    elif transport == "sms":
        import hal.quectel as quectel
        async with quectel.open_channel(sim.at_port, 115200) as channel:
            modem = quectel.QuectelModem(channel)
            await modem.init()
            SHARED_SMS.modem = modem
            try:
                yield f"matrix-shared-sms://?number={PLATFORM_NUMBER}"
            finally:
                SHARED_SMS.modem = None
    else:
        from jt808.demo import shared_modem
        async with shared_modem(url) as link:
            shared = SHARED_QUECTEL[transport]
            shared.modem = link.modem
            try:
                yield f"matrix-shared-{link.url}"
            finally:
                shared.modem = None


def fix_bearer(terminal: Any, transport: str) -> None:
    """``Terminal`` picks its bearer from the URL scheme; a shared-modem scheme is not
    in its table, so set the bearer the transport really is (see the report)."""
    session = terminal.session
    if session.bearer != BEARERS[transport]:
        session.bearer = BEARERS[transport]
        session.update_params(terminal.params.link_params())


def listen_urls(transport: str) -> list[str]:
    if transport == "sms":
        return [f"{SMS_SCHEME}://"]
    return [f"{transport.split('+')[-1]}://127.0.0.1:0"]


@contextlib.contextmanager
def shared_simulator() -> Any:
    """One started ``ModemSimulator`` with an in-process SMS centre."""
    from hal import modem_sim as sim_module
    centre = sim_module.InProcessSmsCentre()
    sim = sim_module.ModemSimulator(sms_centre=centre, number=TERMINAL_NUMBER).start()
    SMS_BACKEND.centre = centre
    try:
        yield sim
    finally:
        SMS_BACKEND.centre = None
        sim.stop()


@contextlib.asynccontextmanager
async def platform_for(transport: str, **options: Any) -> AsyncIterator[Any]:
    """A ``Platform`` listening where ``transport`` needs it."""
    from jt808.platform import Platform
    async with Platform(**options) as platform:
        await platform.serve(listen_urls(transport))
        yield platform


async def wait(predicate: Any, timeout: float = 10.0, step: float = 0.01) -> Any:
    """Poll ``predicate`` until truthy (``TimeoutError`` after ``timeout`` s)."""
    with anyio.fail_after(math.inf if timeout is None else timeout):
        while not (result := predicate()):
            await anyio.sleep(step)
    return result


def unmatched_replies(platform: Any, phone: str) -> list[tuple[Any, Any]]:
    """``(header, message)`` of every reply from ``phone`` that matched no platform request
    (e.g. a 0x0104 or 0x0001 the terminal sends on its own), from now on.

    ``Platform`` drops these (``TerminalRecord.received`` keeps only messages and matched
    replies), so the matrix taps the connection's events.
    """
    from jt808.session import UnmatchedReply
    found: list[tuple[Any, Any]] = []
    driver = platform.connections[phone]
    forward = driver.on_event

    def on_event(event: Any) -> None:
        if isinstance(event, UnmatchedReply):
            found.append((event.header, event.message))
        forward(event)

    driver.on_event = on_event
    return found
