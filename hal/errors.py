"""The error tree of the ``hal`` package (independent of ``jt808.errors``).

::

    HalError
    ├── PduError            a peer's SMS PDU is malformed (what and at which offset)
    ├── AtProtocolError     the modem's byte stream breaks the AT line discipline
    ├── ModemError          a command ended in ERROR / +CME ERROR / +CMS ERROR
    │   └── SocketOpenError +QIOPEN: <id>,<err> with err != 0
    ├── SocketClosedError   the socket is closed (peer, network or PDP loss)
    ├── ChannelClosedError  the serial port is gone / the channel is closed
    └── ModemTimeout        no final result / URC within the allowed time

Bad *local* arguments (a phone number with letters, a payload too long)
raise ``ValueError``.
"""
from __future__ import annotations

__all__ = [
    "HalError", "PduError", "AtProtocolError", "ModemError", "SocketOpenError",
    "SocketClosedError", "ChannelClosedError", "ModemTimeout", "QIOPEN_ERRORS",
]

#: Quectel TCP/IP error codes (EC200U / BG95 TCP/IP AN §4; quectel-at.md §2).
QIOPEN_ERRORS: dict[int, str] = {
    550: "unknown error", 551: "operation blocked", 552: "invalid parameters",
    553: "memory not enough", 554: "create socket failed", 555: "operation not supported",
    556: "socket bind failed", 557: "socket listen failed", 558: "socket write failed",
    559: "socket read failed", 560: "socket accept failed", 561: "open PDP context failed",
    562: "close PDP context failed", 563: "socket identity has been used",
    564: "DNS busy", 565: "DNS parse failed", 566: "socket connect failed",
    567: "socket has been closed", 568: "operation busy", 569: "operation timeout",
    570: "PDP context broken down", 571: "cancel send", 572: "operation not allowed",
    573: "APN not configured", 574: "port busy",
}


class HalError(Exception):
    """Base of every error the ``hal`` package raises on purpose."""


class PduError(HalError):
    """A peer's SMS PDU is malformed; ``field`` and ``offset`` say where."""

    def __init__(self, message: str, *, field: str | None = None,
                 offset: int | None = None) -> None:
        self.field = field
        self.offset = offset
        where = []
        if field is not None:
            where.append(f"field {field!r}")
        if offset is not None:
            where.append(f"offset {offset}")
        super().__init__(f"{message} ({', '.join(where)})" if where else message)


class AtProtocolError(HalError):
    """The modem sent bytes that break the AT line discipline (e.g. an over-long line)."""


class ModemError(HalError):
    """A command ended with ``ERROR``, ``+CME ERROR: n`` or ``+CMS ERROR: n``.

    ``kind`` is ``"CME"``, ``"CMS"`` or ``None`` (plain ERROR / SEND FAIL);
    ``code`` the numeric code when there is one; ``command`` the command sent.
    """

    def __init__(self, final: str, *, command: str | None = None,
                 kind: str | None = None, code: int | None = None) -> None:
        self.final = final
        self.command = command
        self.kind = kind
        self.code = code
        super().__init__(f"{command!r} -> {final}" if command else final)


class SocketOpenError(ModemError):
    """``+QIOPEN: <connect_id>,<err>`` with ``err != 0``; ``meaning`` from the manual's table."""

    def __init__(self, connect_id: int, err: int, *, command: str | None = None) -> None:
        self.connect_id = connect_id
        self.err = err
        self.meaning = QIOPEN_ERRORS.get(err, "unlisted error code")
        super().__init__(f"+QIOPEN: {connect_id},{err} ({self.meaning})",
                         command=command, kind="QIOPEN", code=err)


class SocketClosedError(HalError):
    """The socket was closed (by us, the peer, or because the PDP context dropped)."""


class ChannelClosedError(HalError):
    """The AT channel is closed or its serial port failed."""


class ModemTimeout(HalError, TimeoutError):
    """No final result code or expected URC arrived in time."""
