"""Handlers for the Quectel TCP/IP commands (reference §2-§4)."""
from __future__ import annotations

from ._at import AtError, Command, DataMode, Reply, ok
from ._sockets import (ERR_PDP, ERR_UNSUPPORTED, MAX_SOCKETS, QIRD_MAX, QISEND_MAX,
                       STATE_CONNECTED, SocketSlot)
from ._state import Handler, ModemState, PdpContext

__all__ = ["IP_COMMANDS"]

ERROR = AtError("plain")
_KINDS = {"TCP": "TCP", "UDP": "UDP", "UDP SERVICE": "UDP SERVICE"}


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


def _context(state: ModemState, cid: int) -> PdpContext:
    return state.pdp.setdefault(cid, PdpContext())


def qicsgp(state: ModemState, cmd: Command) -> Reply:
    cid = _int(cmd, 0, lo=1, hi=16)
    ctx = _context(state, cid)
    if len(cmd.args) == 1:
        return ok(f'+QICSGP: {ctx.ctx_type},"{ctx.apn}","{ctx.user}","{ctx.password}",{ctx.auth}')
    ctx.ctx_type = _int(cmd, 1, lo=1, hi=3)
    ctx.apn = cmd.args[2] if len(cmd.args) > 2 else ""
    ctx.user = cmd.args[3] if len(cmd.args) > 3 else ""
    ctx.password = cmd.args[4] if len(cmd.args) > 4 else ""
    ctx.auth = _int(cmd, 5, default=0, lo=0, hi=3)
    return ok()


def qiact(state: ModemState, cmd: Command) -> Reply:
    if cmd.kind == "read":
        lines = [f'+QIACT: {cid},1,{ctx.ctx_type},"{state.config.pdp_ip}"'
                 for cid, ctx in sorted(state.pdp.items()) if ctx.active]
        return ok(*lines)
    if cmd.kind == "test":
        return ok("+QIACT: (1-16)")
    ctx = _context(state, _int(cmd, 0, lo=1, hi=16))
    if ctx.active:
        raise ERROR          # already active: ERROR in practice (reference §2)
    ctx.active = True
    return ok()


def qideact(state: ModemState, cmd: Command) -> Reply:
    cid = _int(cmd, 0, lo=1, hi=16)
    _context(state, cid).active = False
    state.sockets.kill_context(cid, free=True)
    return ok()


def qiopen(state: ModemState, cmd: Command) -> Reply:
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
    fail = state.faults.take_open_fail()
    if kind not in _KINDS:
        fail = ERR_UNSUPPORTED
    elif not _context(state, cid).active and fail is None:
        fail = ERR_PDP
    slot = SocketSlot(conn_id, cid, _KINDS.get(kind, kind), cmd.args[3], rport, lport, mode)
    state.sockets.open(slot, fail_code=fail)
    return ok()


def _connected_slot(state: ModemState, conn_id: int) -> SocketSlot:
    slot = state.sockets.slots.get(conn_id)
    if slot is None or slot.state != STATE_CONNECTED:
        raise ERROR
    return slot


def qisend(state: ModemState, cmd: Command) -> Reply:
    conn_id = _int(cmd, 0, lo=0, hi=MAX_SOCKETS - 1)
    if len(cmd.args) >= 2 and _int(cmd, 1) == 0:
        slot = state.sockets.slots.get(conn_id)
        if slot is None:
            raise ERROR
        return ok(f"+QISEND: {slot.total_sent},{slot.total_sent},0")
    slot = _connected_slot(state, conn_id)
    dest = None
    if len(cmd.args) >= 4:
        dest = (cmd.args[2], _int(cmd, 3, lo=1, hi=65535))
    elif slot.kind == "UDP SERVICE":
        raise ERROR
    length = _int(cmd, 1, lo=1, hi=QISEND_MAX) if len(cmd.args) >= 2 else None

    def sent(data: bytes) -> Reply:
        if state.faults.take_send_fail() or not state.sockets.send(conn_id, data, dest):
            return Reply(final="SEND FAIL")
        return Reply(final="SEND OK")

    def cancelled() -> Reply:
        return Reply(final="OK")

    return Reply(final=None, data_mode=DataMode(sent, length, echo=state.qisde,
                                                on_cancel=cancelled, limit=QISEND_MAX))


def qisendex(state: ModemState, cmd: Command) -> Reply:
    conn_id = _int(cmd, 0, lo=0, hi=MAX_SOCKETS - 1)
    _connected_slot(state, conn_id)
    try:
        data = bytes.fromhex(cmd.args[1])
    except (IndexError, ValueError):
        raise ERROR from None
    if not data or state.faults.take_send_fail() or not state.sockets.send(conn_id, data):
        return Reply(final="SEND FAIL")
    return Reply(final="SEND OK")


def qird(state: ModemState, cmd: Command) -> Reply:
    conn_id = _int(cmd, 0, lo=0, hi=MAX_SOCKETS - 1)
    slot = state.sockets.slots.get(conn_id)
    if slot is None or slot.mode != 0:
        raise ERROR
    limit = _int(cmd, 1, default=QIRD_MAX, lo=0, hi=QIRD_MAX)
    if limit == 0:
        unread = slot.total_received - slot.total_read
        return ok(f"+QIRD: {slot.total_received},{slot.total_read},{unread}")
    data, peer = state.sockets.read(conn_id, limit)
    if not data:
        return ok("+QIRD: 0")
    where = f',"{peer[0]}",{peer[1]}' if peer else ""
    return ok(f"+QIRD: {len(data)}{where}", raw=data + b"\r\n")


def qiclose(state: ModemState, cmd: Command) -> Reply:
    state.sockets.close(_int(cmd, 0, lo=0, hi=MAX_SOCKETS - 1))
    return ok()


def qistate(state: ModemState, cmd: Command) -> Reply:
    slots = sorted(state.sockets.slots.values(), key=lambda s: s.conn_id)
    if cmd.kind == "exec":
        query, which = _int(cmd, 0, lo=0, hi=1), _int(cmd, 1, lo=0, hi=16)
        slots = [s for s in slots if (s.conn_id if query == 1 else s.cid) == which]
    elif cmd.kind != "read":
        raise ERROR
    return ok(*(s.state_line(state.config.port_name) for s in slots))


def qigeterror(state: ModemState, cmd: Command) -> Reply:
    from ..errors import QIOPEN_ERRORS
    code = state.sockets.last_error
    return ok(f"+QIGETERROR: {code},{QIOPEN_ERRORS.get(code, 'no error') if code else 'no error'}")


def qicfg(state: ModemState, cmd: Command) -> Reply:
    return ok()


def qisde(state: ModemState, cmd: Command) -> Reply:
    if cmd.kind == "read":
        return ok(f"+QISDE: {int(state.qisde)}")
    state.qisde = bool(_int(cmd, 0, lo=0, hi=1))
    return ok()


IP_COMMANDS: dict[str, Handler] = {
    "+QICSGP": qicsgp, "+QIACT": qiact, "+QIDEACT": qideact, "+QIOPEN": qiopen,
    "+QISEND": qisend, "+QISENDEX": qisendex, "+QIRD": qird, "+QICLOSE": qiclose,
    "+QISTATE": qistate, "+QIGETERROR": qigeterror, "+QICFG": qicfg, "+QISDE": qisde,
}
