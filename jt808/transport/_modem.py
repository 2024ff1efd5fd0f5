"""Getting at the one Quectel modem driver (``hal.quectel``) for the AT-bridge transports.

Either the caller passes ``modem=`` (an already initialised ``hal.quectel.QuectelModem``
that the HAL modem-info and GNSS code use too; the transport never closes it), or the
URL path names the AT port and the transport opens, initialises and later closes its
own channel.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any
from urllib.parse import SplitResult

from ._base import translate_errors

__all__ = ["ModemHandle", "acquire_modem", "hal_errors", "translate_modem_errors"]

DEFAULT_BAUDRATE = 115200


def hal_errors() -> tuple[type[BaseException], ...]:
    """The driver's error base (imported lazily: only the modem transports need hal)."""
    from hal.errors import HalError
    return (HalError,)


@contextlib.contextmanager
def translate_modem_errors(what: str) -> Iterator[None]:
    with translate_errors(what, hal_errors()):
        yield


class ModemHandle:
    """The modem a transport uses, and the port it must close (when it opened it)."""

    def __init__(self, modem: Any, owned: contextlib.AsyncExitStack | None) -> None:
        self.modem = modem
        self._owned = owned

    async def aclose(self) -> None:
        owned, self._owned = self._owned, None
        if owned is not None:
            # No cancel scope of our own here: the channel's task group was entered
            # before it and must be exited first (scopes nest strictly).
            with contextlib.suppress(Exception):
                await owned.aclose()


async def acquire_modem(url: SplitResult, modem: Any | None, baudrate: int | None,
                        init_sms: bool = False) -> ModemHandle:
    """Use ``modem`` as given, or open ``url.path`` and initialise a driver on it.

    ``init_sms`` runs ``modem.sms_init()`` (PDU mode, +CMTI, stored messages) on
    either; it is harmless to repeat on a shared driver.
    """
    if modem is not None:
        if url.path not in ("", "/"):
            raise ValueError(f"give either a device path or modem=, not both ({url.geturl()!r})")
        if init_sms:
            with translate_modem_errors("sms init"):
                await modem.sms_init()
        return ModemHandle(modem, None)
    if url.path in ("", "/"):
        raise ValueError(f"no device in {url.geturl()!r} (expected {url.scheme}:///dev/ttyUSB2?...)"
                         " and no modem= given")
    import hal.quectel as quectel

    # open_channel() runs the port's reader task in a task group of its own: the
    # transport keeps that context open until aclose(), so a transport that opened
    # its own port must be closed by the task (and in the scope) that opened it.
    stack = contextlib.AsyncExitStack()
    handle = ModemHandle(None, stack)
    try:
        with translate_modem_errors(f"open modem {url.path}"):
            channel = await stack.enter_async_context(
                quectel.open_channel(url.path, baudrate or DEFAULT_BAUDRATE))
            handle.modem = quectel.QuectelModem(channel)
            await handle.modem.init()
            if init_sms:
                await handle.modem.sms_init()
    except BaseException:
        await handle.aclose()
        raise
    return handle
