"""``quectel+tcp://`` and ``quectel+udp://``: a socket inside a Quectel modem, driven
over its AT port by the ``hal.quectel`` driver (the "AT-socket bridge").

URL: ``quectel+tcp:///dev/ttyUSB2?host=203.0.113.10&port=7611&apn=cmnet&baudrate=115200``
(also ``cid``, ``user``, ``password``). Keyword options override the query; pass
``modem=<hal.quectel.QuectelModem>`` instead of a device path to share a driver
that is already open (the transport then never closes it).

``SEND FAIL`` (the modem's send buffer is full) is retried ``send_retries`` times,
waiting ``send_retry_delay`` seconds, doubled each time; then it is a
``TransportError``. A socket the peer closed ends the stream (``b""``); a socket lost
with the PDP context is a ``TransportError`` (the next ``open_transport`` on the same
modem re-activates the context).
"""
from __future__ import annotations

from typing import Any, ClassVar
from urllib.parse import SplitResult

import anyio
from anyio.abc import AsyncResource

from ..errors import TransportError
from ._base import check_datagram, check_max_bytes
from ._modem import ModemHandle, acquire_modem, translate_modem_errors
from ._url import url_options

__all__ = ["QuectelStream", "QuectelDatagram", "open_transport"]

#: Largest payload of one AT+QISEND (quectel-at.md §2): one UDP datagram at most.
MAX_SEND = 1460

_OPTIONS = {
    "host": str, "port": int, "apn": str, "user": str, "password": str, "cid": int,
    "baudrate": int, "send_retries": int, "send_retry_delay": float, "modem": lambda v: v,
}
_KINDS = {"quectel+tcp": "TCP", "quectel+udp": "UDP"}


class _QuectelSocket(AsyncResource):
    def __init__(self, sock: Any, handle: ModemHandle, where: str, options: dict[str, Any]
                 ) -> None:
        self._sock = sock
        self._handle = handle
        self.where = where
        self._send_retries: int = options.get("send_retries", 5)
        self._send_retry_delay: float = options.get("send_retry_delay", 0.05)
        self._ended = False

    @property
    def modem(self) -> Any:
        return self._handle.modem

    async def _send(self, data: bytes) -> None:
        from hal.errors import ModemError
        delay = self._send_retry_delay
        for attempt in range(self._send_retries + 1):
            try:
                with translate_modem_errors(f"{self.where} send"):
                    await self._sock.send(data)
                return
            except TransportError as exc:
                send_fail = isinstance(exc.__cause__, ModemError) and \
                    exc.__cause__.final == "SEND FAIL"
                if not send_fail or attempt == self._send_retries:
                    raise
            await anyio.sleep(delay)
            delay *= 2

    async def _receive(self) -> bytes:
        from hal.errors import SocketClosedError
        if self._ended:
            return b""
        try:
            with translate_modem_errors(f"{self.where} receive"):
                data = await self._sock.receive()
        except TransportError as exc:
            if isinstance(exc.__cause__, SocketClosedError) and not _pdp_lost(exc.__cause__):
                self._ended = True
                return b""
            raise
        if not data:
            self._ended = True
        return data

    async def aclose(self) -> None:
        try:
            with anyio.CancelScope(shield=True):
                await self._sock.aclose()
        except Exception:  # closing a socket the modem already dropped is not news
            pass
        finally:
            await self._handle.aclose()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.where}>"


def _pdp_lost(exc: BaseException) -> bool:
    return bool(getattr(exc, "pdp_lost", False)) or "pdp" in str(exc).lower()


class QuectelStream(_QuectelSocket):
    """A TCP connection made by the modem (``AT+QIOPEN=…,"TCP",…``)."""

    kind: ClassVar[str] = "stream"

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._left_over = b""

    async def send(self, data: bytes) -> None:
        for start in range(0, len(data), MAX_SEND):
            await self._send(bytes(data[start:start + MAX_SEND]))

    async def receive(self, max_bytes: int = 65536) -> bytes:
        check_max_bytes(max_bytes)
        data = self._left_over or await self._receive()
        self._left_over = data[max_bytes:]
        return data[:max_bytes]


class QuectelDatagram(_QuectelSocket):
    """A connected UDP socket in the modem: one AT+QISEND is one datagram."""

    kind: ClassVar[str] = "datagram"
    max_datagram: int = MAX_SEND

    async def send(self, datagram: bytes) -> None:
        check_datagram(datagram, self.max_datagram)
        await self._send(bytes(datagram))

    async def receive(self) -> bytes:
        return await self._receive()


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
            await handle.modem.activate_pdp(cid, opts.get("apn", ""),
                                            opts.get("user", ""), opts.get("password", ""))
            sock = await handle.modem.open_socket(kind, host, port)
    except BaseException:
        await handle.aclose()
        raise
    transport_class = QuectelStream if kind == "TCP" else QuectelDatagram
    return transport_class(sock, handle, where, opts)
