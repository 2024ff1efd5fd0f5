"""Handlers for the 27.005 SMS commands in PDU mode (reference §6)."""
from __future__ import annotations

from ..errors import PduError
from ._at import AtError, Command, DataMode, Reply, ok
from ._sms import STAT_UNREAD, parse_submit
from ._state import Handler, ModemState

__all__ = ["SMS_COMMANDS"]

CMS_ME_FAILURE, CMS_NOT_ALLOWED, CMS_INVALID_PDU, CMS_INVALID_INDEX = 300, 302, 304, 321
CMS_UNKNOWN = 500


def _cms(code: int) -> AtError:
    return AtError("cms", code)


def _int(cmd: Command, index: int, default: int | None = None) -> int:
    try:
        return int(cmd.args[index])
    except (IndexError, ValueError):
        if default is None:
            raise _cms(CMS_UNKNOWN) from None
        return default


def cmgf(state: ModemState, cmd: Command) -> Reply:
    if cmd.kind == "read":
        return ok(f"+CMGF: {state.sms.mode}")
    if cmd.kind == "test":
        return ok("+CMGF: (0,1)")
    mode = _int(cmd, 0, 0)
    if mode not in (0, 1):
        raise AtError()
    state.sms.mode = mode
    return ok()


def cnmi(state: ModemState, cmd: Command) -> Reply:
    if cmd.kind == "read":
        return ok("+CNMI: " + ",".join(map(str, state.sms.cnmi)))
    values = tuple(_int(cmd, i, 0) for i in range(len(cmd.args)))
    state.sms.cnmi = values + state.sms.cnmi[len(values):]
    return ok()


def _usage(state: ModemState) -> str:
    return f"{len(state.sms.store)},{state.sms.store.capacity}"


def cpms(state: ModemState, cmd: Command) -> Reply:
    if cmd.kind == "read":
        return ok("+CPMS: " + ",".join(f'"{m}",{_usage(state)}' for m in state.sms.memories))
    if cmd.kind == "test":
        return ok('+CPMS: ("SM","ME","MT"),("SM","ME","MT"),("SM","ME","MT")')
    for i, mem in enumerate(cmd.args[:3]):
        if mem.upper() not in ("SM", "ME", "MT"):
            raise _cms(CMS_NOT_ALLOWED)
        state.sms.memories[i] = mem.upper()
    return ok("+CPMS: " + ",".join([_usage(state)] * 3))


def cmgs(state: ModemState, cmd: Command) -> Reply:
    if state.sms.mode != 0:
        raise _cms(CMS_NOT_ALLOWED)       # text mode is out of scope
    length = _int(cmd, 0)
    if not 7 <= length <= 164:
        raise _cms(CMS_INVALID_PDU)

    def typed(pdu_hex: bytes) -> Reply:
        pdu = parse_submit(pdu_hex, length)
        if pdu is None:
            raise _cms(CMS_INVALID_PDU)
        try:
            state.submit_sms(pdu)
        except (PduError, ValueError):
            raise _cms(CMS_INVALID_PDU) from None
        mr, state.sms.next_mr = state.sms.next_mr, (state.sms.next_mr + 1) % 256
        return ok(f"+CMGS: {mr}")

    return Reply(final=None, data_mode=DataMode(typed, None, echo=state.echo,
                                                on_cancel=lambda: ok(), limit=2 * 200))


def cmgr(state: ModemState, cmd: Command) -> Reply:
    msg = state.sms.store.read(_int(cmd, 0))
    if msg is None:
        raise _cms(CMS_INVALID_INDEX)
    return ok(f"+CMGR: {msg.stat},,{msg.tpdu_length}", raw=msg.pdu.hex().upper().encode() + b"\r\n")


def cmgl(state: ModemState, cmd: Command) -> Reply:
    stat = _int(cmd, 0, STAT_UNREAD)
    if stat not in range(5):
        raise _cms(CMS_UNKNOWN)
    entries = [f"+CMGL: {i},{m.stat},,{m.tpdu_length}\r\n{m.pdu.hex().upper()}"
               for i, m in state.sms.store.listing(stat)]
    if not entries:
        return ok()
    head, _, rest = "\r\n".join(entries).partition("\r\n")
    return ok(head, raw=rest.encode() + b"\r\n")


def cmgd(state: ModemState, cmd: Command) -> Reply:
    index, flag = _int(cmd, 0), _int(cmd, 1, 0)
    if flag not in range(5) or (flag == 0 and not 0 <= index < state.sms.store.capacity):
        raise _cms(CMS_INVALID_INDEX)
    state.sms.store.delete(index, flag)
    reply = ok()
    state.post(state.sms_space_freed)        # the +CMTI of a waiting message follows the OK
    return reply


def csca(state: ModemState, cmd: Command) -> Reply:
    if cmd.kind == "read":
        return ok(f'+CSCA: "{state.config.smsc}",145')
    return ok()


def csms(state: ModemState, cmd: Command) -> Reply:
    if cmd.kind == "read":
        return ok("+CSMS: 0,1,1,1")
    return ok("+CSMS: 1,1,1")


SMS_COMMANDS: dict[str, Handler] = {
    "+CMGF": cmgf, "+CNMI": cnmi, "+CPMS": cpms, "+CMGS": cmgs, "+CMGR": cmgr,
    "+CMGL": cmgl, "+CMGD": cmgd, "+CSCA": csca, "+CSMS": csms,
}
