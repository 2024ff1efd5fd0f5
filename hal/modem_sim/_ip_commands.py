"""Handlers for the Quectel TCP/IP commands (reference §2-§4)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from ._at import AtError, Command, DataMode, Reply, ok
from ._sockets import (ERR_PDP, ERR_UNSUPPORTED, MAX_SOCKETS, QIRD_MAX, QISEND_MAX,
                       STATE_CONNECTED, SocketSlot)

if TYPE_CHECKING:
    from ._simulator import ModemSimulator

__all__ = ["IP_COMMANDS", "PdpContext"]

ERROR = AtError("plain")
_KINDS = {"TCP": "TCP", "UDP": "UDP", "UDP SERVICE": "UDP SERVICE"}


@attrs.define
class PdpContext:
    ctx_type: int = 1
    apn: str = ""
    user: str = ""
    password: str = ""
    auth: int = 0
    active: bool = False


def _int(cmd: Command, index: int, default: int | None = None, lo: int = 0, hi: int = 1 << 31) -> int:
    try:
        text = cmd.args[index]
    except IndexError:
        text = ""
    if text == "" and default is not None:
        return default
    try:
        value = int(text)
    except ValueError:
        raise ERROR from None
    if not lo <= value <= hi:
        raise ERROR
    return value


def _context(sim: ModemSimulator, cid: int) -> PdpContext:
    return sim.pdp.setdefault(cid, PdpContext())


def qicsgp(sim: ModemSimulator, cmd: Command) -> Reply:
    cid = _int(cmd, 0, lo=1, hi=16)
    ctx = _context(sim, cid)
    if len(cmd.args) == 1:
        return ok(f'+QICSGP: {ctx.ctx_type},"{ctx.apn}","{ctx.user}","{ctx.password}",{ctx.auth}')
    ctx.ctx_type = _int(cmd, 1, lo=1, hi=3)
    ctx.apn = cmd.args[2] if len(cmd.args) > 2 else ""
    ctx.user = cmd.args[3] if len(cmd.args) > 3 else ""
    ctx.password = cmd.args[4] if len(cmd.args) > 4 else ""
    ctx.auth = _int(cmd, 5, default=0, lo=0, hi=3)
    return ok()


def qiact(sim: ModemSimulator, cmd: Command) -> Reply:
    if cmd.kind == "read":
        lines = [f'+QIACT: {cid},1,{ctx.ctx_type},"{sim.config.pdp_ip}"'
                 for cid, ctx in sorted(sim.pdp.items()) if ctx.active]
        return ok(*lines)
    if cmd.kind == "test":
        return ok("+QIACT: (1-16)")
    ctx = _context(sim, _int(cmd, 0, lo=1, hi=16))
    if ctx.active:
        raise ERROR          # already active: ERROR in practice (reference §2)
    ctx.active = True
    return ok()


def qideact(sim: ModemSimulator, cmd: Command) -> Reply:
    cid = _int(cmd, 0, lo=1, hi=16)
    _context(sim, cid).active = False
    sim.sockets.kill_context(cid, free=True)
    return ok()


def qiopen(sim: ModemSimulator, cmd: Command) -> Reply:
    if cmd.kind == "test":
        return ok('+QIOPEN: (1-16),(0-11),"TCP/UDP/TCP LISTENER/UDP SERVICE",'
                  '"<IP_address>/<domain_name>",<remote_port>,<local_port>,(0-2)')
    if len(cmd.args) < 5:
        raise ERROR
    cid = _int(cmd, 0, lo=1, hi=16)
    conn_id = _int(cmd, 1, lo=0, hi=MAX_SOCKETS - 1)
    kind = cmd.args[2].upper()
    rport = _int(cmd, 4, lo=0, hi=65535)
    lport = _int(cmd, 5, default=0, lo=0, hi=65535)
    mode = _int(cmd, 6, default=0, lo=0, hi=2)
    if mode == 2:
        raise ERROR          # transparent mode is not supported on the USB AT port
    fail = sim.faults.take_open_fail()
    if kind not in _KINDS:
        fail = ERR_UNSUPPORTED
    elif not _context(sim, cid).active and fail is None:
        fail = ERR_PDP
    slot = SocketSlot(conn_id, cid, _KINDS.get(kind, kind), cmd.args[3], rport, lport, mode)
    sim.sockets.open(slot, fail_code=fail)
    return ok()


def _connected_slot(sim: ModemSimulator, conn_id: int) -> SocketSlot:
    slot = sim.sockets.slots.get(conn_id)
    if slot is None or slot.state != STATE_CONNECTED:
        raise ERROR
    return slot


def qisend(sim: ModemSimulator, cmd: Command) -> Reply:
    conn_id = _int(cmd, 0, lo=0, hi=MAX_SOCKETS - 1)
    if len(cmd.args) >= 2 and _int(cmd, 1) == 0:
        slot = sim.sockets.slots.get(conn_id)
        if slot is None:
            raise ERROR
        return ok(f"+QISEND: {slot.total_sent},{slot.total_sent},0")
    slot = _connected_slot(sim, conn_id)
    dest = None
    if len(cmd.args) >= 4:
        dest = (cmd.args[2], _int(cmd, 3, lo=1, hi=65535))
    elif slot.kind == "UDP SERVICE":
        raise ERROR
    length = _int(cmd, 1, lo=1, hi=QISEND_MAX) if len(cmd.args) >= 2 else None

    def sent(data: bytes) -> Reply:
        if sim.faults.take_send_fail() or not sim.sockets.send(conn_id, data, dest):
            return Reply(final="SEND FAIL")
        return Reply(final="SEND OK")

    def cancelled() -> Reply:
        return Reply(final="OK")

    return Reply(final=None, data_mode=DataMode(sent, length, echo=sim.qisde,
                                                on_cancel=cancelled, limit=QISEND_MAX))


def qisendex(sim: ModemSimulator, cmd: Command) -> Reply:
    conn_id = _int(cmd, 0, lo=0, hi=MAX_SOCKETS - 1)
    _connected_slot(sim, conn_id)
    try:
        data = bytes.fromhex(cmd.args[1])
    except (IndexError, ValueError):
        raise ERROR from None
    if not data or sim.faults.take_send_fail() or not sim.sockets.send(conn_id, data):
        return Reply(final="SEND FAIL")
    return Reply(final="SEND OK")


def qird(sim: ModemSimulator, cmd: Command) -> Reply:
    conn_id = _int(cmd, 0, lo=0, hi=MAX_SOCKETS - 1)
    slot = sim.sockets.slots.get(conn_id)
    if slot is None or slot.mode != 0:
        raise ERROR
    limit = _int(cmd, 1, default=QIRD_MAX, lo=0, hi=QIRD_MAX)
    if limit == 0:
        unread = slot.total_received - slot.total_read
        return ok(f"+QIRD: {slot.total_received},{slot.total_read},{unread}")
    data, peer = sim.sockets.read(conn_id, limit)
    if not data:
        return ok("+QIRD: 0")
    where = f',"{peer[0]}",{peer[1]}' if peer else ""
    return ok(f"+QIRD: {len(data)}{where}", raw=data + b"\r\n")


def qiclose(sim: ModemSimulator, cmd: Command) -> Reply:
    sim.sockets.close(_int(cmd, 0, lo=0, hi=MAX_SOCKETS - 1))
    return ok()


def qistate(sim: ModemSimulator, cmd: Command) -> Reply:
    slots = sorted(sim.sockets.slots.values(), key=lambda s: s.conn_id)
    if cmd.kind == "exec":
        query, which = _int(cmd, 0, lo=0, hi=1), _int(cmd, 1, lo=0, hi=16)
        slots = [s for s in slots if (s.conn_id if query == 1 else s.cid) == which]
    elif cmd.kind != "read":
        raise ERROR
    return ok(*(s.state_line(sim.config.port_name) for s in slots))


def qigeterror(sim: ModemSimulator, cmd: Command) -> Reply:
    from ..errors import QIOPEN_ERRORS
    code = sim.sockets.last_error
    return ok(f"+QIGETERROR: {code},{QIOPEN_ERRORS.get(code, 'no error') if code else 'no error'}")


def qicfg(sim: ModemSimulator, cmd: Command) -> Reply:
    return ok()


def qisde(sim: ModemSimulator, cmd: Command) -> Reply:
    if cmd.kind == "read":
        return ok(f"+QISDE: {int(sim.qisde)}")
    sim.qisde = bool(_int(cmd, 0, lo=0, hi=1))
    return ok()


IP_COMMANDS = {
    "+QICSGP": qicsgp, "+QIACT": qiact, "+QIDEACT": qideact, "+QIOPEN": qiopen,
    "+QISEND": qisend, "+QISENDEX": qisendex, "+QIRD": qird, "+QICLOSE": qiclose,
    "+QISTATE": qistate, "+QIGETERROR": qigeterror, "+QICFG": qicfg, "+QISDE": qisde,
}
