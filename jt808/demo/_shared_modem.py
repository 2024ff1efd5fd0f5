"""One Quectel driver shared by every (re)connection of a ``Terminal`` given a URL.

``quectel+tcp:///dev/ttyUSB2?host=…`` makes each transport open (and later close)
the AT port itself, and such a transport must be closed by the task that opened it;
a ``Terminal`` opens and closes links from its own tasks and reconnects. So the
caller's task opens the port once and gives the terminal the URL without the device
(``quectel+tcp://?host=…&port=…``) plus ``transport_options={"modem": driver}``:
``open_transport(url, modem=…)`` then shares that driver, the way a terminal that
also reads GNSS and modem info from the same modem shares it.
"""
from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import attrs

from ..errors import TransportError

__all__ = ["ModemLink", "shared_modem"]

_MODEM_SCHEMES = ("quectel+tcp", "quectel+udp")


@attrs.frozen
class ModemLink:
    """What to give ``Terminal``: ``Terminal(link.url, transport_options=link.options)``.

    ``modem`` is the shared ``hal.quectel.QuectelModem`` (None for a URL that needs no
    modem), for GNSS or modem info read through the same driver.
    """

    url: str
    options: dict[str, Any] = attrs.field(factory=dict)

    @property
    def modem(self) -> Any:
        return self.options.get("modem")


@contextlib.asynccontextmanager
async def shared_modem(url: str, baudrate: int = 115200) -> AsyncIterator[ModemLink]:
    """For a ``quectel+tcp``/``quectel+udp`` URL with a device path: open that modem in
    this task and yield the link that shares it; other URLs pass through unchanged."""
    scheme, sep, rest = url.partition("://")
    device, _, query = rest.partition("?")
    if scheme not in _MODEM_SCHEMES or not sep or not device:
        yield ModemLink(url)
        return
    import hal.quectel as quectel

    async with contextlib.AsyncExitStack() as stack:
        try:
            channel = await stack.enter_async_context(quectel.open_channel(device, baudrate))
            modem = quectel.QuectelModem(channel)
            await modem.init()
        except Exception as exc:  # serial, OS and driver errors alike: one clear line
            raise TransportError(f"cannot open modem {device}: {exc}") from exc
        yield ModemLink(f"{scheme}://?{query}", {"modem": modem})
