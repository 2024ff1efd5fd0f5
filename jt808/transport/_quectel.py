"""``quectel+tcp://`` and ``quectel+udp://``: a socket inside a Quectel modem, driven
over its AT port by the ``hal.quectel`` driver (the "AT-socket bridge").

URL: ``quectel+tcp:///dev/ttyUSB2?host=203.0.113.10&port=7611&apn=cmnet&baudrate=115200``
(also ``cid``, ``user``, ``password``). Keyword options override the query; pass
``modem=<hal.quectel.QuectelModem>`` instead of a device path to share a driver
that is already open (the transport then never closes it). A transport that opened
its own port runs the port's reader in a task group entered by ``open_transport``:
close it from the task (and cancel scope) that opened it, e.g. ``async with``.

``SEND FAIL`` (the modem's send buffer is full) is retried by the driver
(``modem.send_retries`` times, ``modem.send_retry_delay`` apart), then it is a
``TransportError``. A socket the peer closed ends the input (``b""``); a socket lost
with the PDP context (``+QIURC: "pdpdeact"``) is a ``TransportError``, and the next
``open_transport`` on the same modem recovers the context (``AT+QIDEACT``, ``AT+QIACT``).
"""
from __future__ import annotations

import contextlib
from typing import Any, Callable
from urllib.parse import SplitResult

import anyio
from anyio.abc import AsyncResource

from ._base import ChunkDatagram, ChunkStream
from ._modem import ModemHandle, acquire_modem, translate_modem_errors
from ._url import url_options

__all__ = ["QuectelStream", "QuectelDatagram", "open_transport"]

#: Largest payload of one AT+QISEND (quectel-at.md §2): the largest UDP datagram.
MAX_SEND = 1460

#: Seconds ``aclose`` waits (shielded from cancellation) for ``AT+QICLOSE``.
CLOSE_GRACE = 2.0

_OPTIONS: dict[str, Callable[[str], Any]] = {
    "host": str, "port": int, "apn": str, "user": str, "password": str, "cid": int,
    "baudrate": int, "modem": lambda v: v,
}
_KINDS = {"quectel+tcp": "TCP", "quectel+udp": "UDP"}


class _QuectelSocket(AsyncResource):
    def __init__(self, sock: Any, handle: ModemHandle, where: str) -> None:
        self._sock = sock
        self._handle = handle
        self.where = where
        self._ended = False

    @property
    def modem(self) -> Any:
        """The ``hal.quectel.QuectelModem`` underneath (shared or owned)."""
        return self._handle.modem

    async def _send_chunk(self, data: bytes) -> None:
        # The driver splits into AT+QISEND chunks of <= 1460 and retries SEND FAIL
        # (modem.send_retries times, modem.send_retry_delay apart).
        with translate_modem_errors(f"{self.where} send"):
            await self._sock.send(data)

    async def _receive_chunk(self) -> bytes:
        if self._ended:
            return b""
        with translate_modem_errors(f"{self.where} receive"):
            data = await self._sock.receive()
        self._ended = not data
        return data

    async def aclose(self) -> None:
        try:
            # Send AT+QICLOSE even while being cancelled, but never wait long: if the
            # modem does not answer, the driver's next open recovers the id (563).
            with anyio.move_on_after(CLOSE_GRACE, shield=True), \
                    contextlib.suppress(Exception):
                await self._sock.aclose()   # the modem may already have dropped it
        finally:
            await self._handle.aclose()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.where}>"


class QuectelStream(ChunkStream, _QuectelSocket):
    """A TCP connection made by the modem (``AT+QIOPEN=…,"TCP",…``)."""


class QuectelDatagram(ChunkDatagram, _QuectelSocket):
    """A connected UDP socket in the modem: one AT+QISEND is one datagram."""

    max_datagram: int = MAX_SEND


async def open_transport(url: SplitResult, **options: Any) -> QuectelStream | QuectelDatagram:
    opts = url_options(url, _OPTIONS, options)
    kind = _KINDS[url.scheme.lower()]
    try:
        host, port = opts["host"], int(opts["port"])
    except KeyError as exc:
        raise ValueError(f"{url.geturl()!r} needs host= and port=") from exc
    where = f"{url.scheme}://{host}:{port}"
    handle = await acquire_modem(url, opts.get("modem"), opts.get("baudrate"))
    try:
        with translate_modem_errors(f"{where} open"):
            cid = opts.get("cid", 1)
            await _activate(handle.modem, cid, opts)
            sock = await handle.modem.open_socket(kind, host, port, cid=cid)
    except BaseException:
        await handle.aclose()
        raise
    transport_class = QuectelStream if kind == "TCP" else QuectelDatagram
    return transport_class(sock, handle, where)


async def _activate(modem: Any, cid: int, opts: dict[str, Any]) -> None:
    """Activate the PDP context, or recover it when the network dropped it before."""
    from hal.errors import ModemError
    try:
        await modem.activate_pdp(cid, apn=opts.get("apn", ""), user=opts.get("user", ""),
                                 password=opts.get("password", ""))
    except ModemError:
        await modem.recover_pdp(cid)
