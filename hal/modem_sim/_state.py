"""The state AT command handlers act on, and nothing that acts on it.

Imports run one way: ``_state`` <- the command modules (``_basic_commands``,
``_ip_commands``, ``_sms_commands``) <- ``_commands`` (the table) <- ``_simulator``.
A handler is ``handler(state: ModemState, cmd: Command) -> Reply``; ``ModemState``
is the part of ``ModemSimulator`` a handler may touch, so no command module imports
the simulator.
"""
from __future__ import annotations

import collections
from typing import Callable, Protocol

import attrs

from ._at import Command, Reply
from ._faults import Faults
from ._gnss import Gnss
from ._sms import MessageStore, SubmitJoiner
from ._sockets import SocketTable

__all__ = ["ModemConfig", "PdpContext", "SmsState", "ModemState", "Handler"]


@attrs.frozen
class ModemConfig:
    """What the simulated modem reports about itself (reference §7)."""

    imei: str = "867584030123454"
    iccid: str = "89860012345678901238"
    imsi: str = "460001234567890"
    number: str = "+8613800138000"
    manufacturer: str = "Quectel"
    model: str = "EC25"
    revision: str = "EC25EFAR06A08M4G"
    qgmr: str = "EC25EFAR06A08M4G_01.001.01.001"
    rssi: int = 24
    ber: int = 99
    reg_stat: int = 1
    act: int = 7
    pdp_ip: str = "10.7.157.1"
    smsc: str = "+8613800200500"
    port_name: str = "usbat"       # the port name +QISTATE shows and urcport must name


@attrs.define
class PdpContext:
    ctx_type: int = 1
    apn: str = ""
    user: str = ""
    password: str = ""
    auth: int = 0
    active: bool = False


@attrs.define
class SmsState:
    mode: int = 0                                   # AT+CMGF
    cnmi: tuple[int, ...] = (2, 1, 0, 0, 0)
    memories: list[str] = attrs.Factory(lambda: ["SM", "SM", "SM"])
    store: MessageStore = attrs.Factory(MessageStore)
    next_mr: int = 0
    next_ref: int = 0
    joiner: SubmitJoiner = attrs.Factory(SubmitJoiner)
    # Store full (see MessageStore): incoming PDUs wait here, undelivered, until
    # AT+CMGD frees space; ``deferred`` counts arrivals that had to wait, ``lost``
    # those dropped because even this network-side queue was full.
    waiting: collections.deque[tuple[bytes, int]] = attrs.Factory(collections.deque)
    waiting_limit: int = 1000
    deferred: int = 0
    lost: int = 0


class ModemState(Protocol):
    """What a command handler reads and changes (``ModemSimulator`` provides it)."""

    config: ModemConfig
    echo: bool
    cmee: int
    qisde: bool
    urc_port: str
    reg_n: dict[str, int]
    pdp: dict[int, PdpContext]
    faults: Faults
    gnss: Gnss
    sms: SmsState
    sockets: SocketTable

    def now(self) -> float: ...

    def elapsed(self) -> float: ...

    def post(self, fn: Callable[[], None]) -> None: ...

    def submit_sms(self, pdu: bytes) -> None: ...

    def sms_space_freed(self) -> None: ...


#: ``handler(state, cmd) -> Reply``; a command module exports a ``{name: handler}`` table.
Handler = Callable[[ModemState, Command], Reply]
