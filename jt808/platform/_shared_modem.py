"""One Quectel driver shared by every (re)connection of a ``Terminal`` given a URL.

``quectel+tcp:///dev/ttyUSB2?host=…`` makes each transport open (and later close)
the AT port itself, and such a transport must be closed by the task that opened it;
a ``Terminal`` opens and closes links from its own tasks and reconnects. So the
caller's task opens the port once and the terminal gets
``shared-modem+tcp://?host=…&port=…``, a scheme whose transports use that driver
(``modem=``), the way a terminal that also reads GNSS and modem info from the same
modem shares it.
"""
from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

__all__ = ["shared_modem_url", "SHARED_MODEM"]

_SCHEMES = {"quectel+tcp": "shared-modem+tcp", "quectel+udp": "shared-modem+udp"}


class SharedModem:
    """Transport backend for ``shared-modem+tcp://?host=…&port=…`` (and ``+udp``)."""

    def __init__(self) -> None:
        self.modem: Any = None

    async def open_transport(self, url: Any, **options: Any) -> Any:
        from ..transport import open_transport
        if self.modem is None:
            from ..errors import TransportError
            raise TransportError("the shared modem is closed")
        kind = url.scheme.split("+", 1)[1]
        return await open_transport(f"quectel+{kind}://?{url.query}", modem=self.modem,
                                    **options)


SHARED_MODEM = SharedModem()


@contextlib.asynccontextmanager
async def shared_modem_url(url: str, baudrate: int = 115200) -> AsyncIterator[str]:
    """For a ``quectel+tcp``/``quectel+udp`` URL with a device path: open that modem here
    and yield the ``shared-modem+…`` URL to give the terminal; other URLs pass through."""
    scheme, sep, rest = url.partition("://")
    if scheme not in _SCHEMES or not sep:
        yield url
        return
    import hal.quectel as quectel

    from ..errors import TransportError
    from ..transport import register_transport
    register_transport(_SCHEMES[scheme], f"{__name__}:SHARED_MODEM")
    device, _, query = rest.partition("?")
    async with contextlib.AsyncExitStack() as stack:
        try:
            channel = await stack.enter_async_context(quectel.open_channel(device, baudrate))
            modem = quectel.QuectelModem(channel)
            await modem.init()
        except Exception as exc:  # serial, OS and driver errors alike: one clear line
            raise TransportError(f"cannot open modem {device}: {exc}") from exc
        SHARED_MODEM.modem = modem
        try:
            yield f"{_SCHEMES[scheme]}://?{query}"
        finally:
            SHARED_MODEM.modem = None
