"""Handlers for the basic, identity, registration and GNSS commands (reference §1, §5, §7)."""
from __future__ import annotations

import datetime as dt
from typing import Callable

from ._at import AtError, Command, Reply, ok
from ._gnss import CME_NOT_ACTIVE, CME_NOT_FIXED, CME_ONGOING, qgpsloc
from ._state import Handler, ModemState

__all__ = ["BASIC_COMMANDS"]


def _arg(cmd: Command, index: int, default: str = "") -> str:
    return cmd.args[index] if len(cmd.args) > index else default


def _flag(cmd: Command, hi: int = 1) -> int:
    try:
        value = int(_arg(cmd, 0, "0") or "0")
    except ValueError:
        raise AtError() from None
    if not 0 <= value <= hi:
        raise AtError()
    return value


def at_ok(state: ModemState, cmd: Command) -> Reply:
    return ok()


def ate(state: ModemState, cmd: Command) -> Reply:
    state.echo = bool(_flag(cmd))
    return ok()


def ati(state: ModemState, cmd: Command) -> Reply:
    c = state.config
    return ok(f"{c.manufacturer}\r\n{c.model}\r\nRevision: {c.revision}")


def cmee(state: ModemState, cmd: Command) -> Reply:
    if cmd.kind == "read":
        return ok(f"+CMEE: {state.cmee}")
    state.cmee = _flag(cmd, 2)
    return ok()


def _const(text: Callable[[ModemState], str]) -> Handler:
    def handler(state: ModemState, cmd: Command) -> Reply:
        if cmd.kind == "test":
            return ok()
        return ok(text(state))
    return handler


def cgsn(state: ModemState, cmd: Command) -> Reply:
    if cmd.kind == "exec" and _arg(cmd, 0) == "1":
        return ok(f'+CGSN: "{state.config.imei}"')
    return ok(state.config.imei)


def _registration(name: str) -> Handler:
    def handler(state: ModemState, cmd: Command) -> Reply:
        if cmd.kind == "exec":
            state.reg_n[name] = _flag(cmd, 2)
            return ok()
        n = state.reg_n.get(name, 0)
        act = 7 if name != "+CREG" or state.config.act == 7 else 0
        extra = f',"1A2B","0C3D4E01",{act}' if n == 2 else ""
        return ok(f"{name}: {n},{state.config.reg_stat}{extra}")
    return handler


def qurccfg(state: ModemState, cmd: Command) -> Reply:
    if _arg(cmd, 0).lower() != "urcport":
        raise AtError()
    if len(cmd.args) == 1:
        return ok(f'+QURCCFG: "urcport","{state.urc_port}"')
    state.urc_port = _arg(cmd, 1).lower()
    return ok()


def qgpscfg(state: ModemState, cmd: Command) -> Reply:
    if _arg(cmd, 0).lower() == "outport":
        if len(cmd.args) == 1:
            return ok(f'+QGPSCFG: "outport","{state.gnss.outport}"')
        state.gnss.outport = _arg(cmd, 1).lower()
    return ok()


def qgps(state: ModemState, cmd: Command) -> Reply:
    if cmd.kind == "read":
        return ok(f"+QGPS: {int(state.gnss.active)}")
    if cmd.kind == "test":
        return ok("+QGPS: (0,1),(1-255),(1-1000),(1-65535),(1-255)")
    if _arg(cmd, 0) != "1":
        raise AtError("cme", 501)
    if state.gnss.active:
        raise AtError("cme", CME_ONGOING)
    state.gnss.start(state.now())
    return ok()


def qgpsend(state: ModemState, cmd: Command) -> Reply:
    if not state.gnss.active:
        raise AtError("cme", CME_NOT_ACTIVE)
    state.gnss.stop()
    return ok()


def qgpsloc_handler(state: ModemState, cmd: Command) -> Reply:
    mode = _flag(cmd, 2) if cmd.kind == "exec" else 0
    if not state.gnss.active:
        raise AtError("cme", CME_NOT_ACTIVE)
    if not state.gnss.fixed(state.now()):
        raise AtError("cme", CME_NOT_FIXED)
    pos = state.gnss.position(state.elapsed())
    return ok(qgpsloc(pos, dt.datetime.now(dt.timezone.utc), mode))


BASIC_COMMANDS: dict[str, Handler] = {
    "": at_ok, "E": ate, "I": ati, "Z": at_ok, "&F": at_ok, "&W": at_ok, "V": at_ok,
    "Q": at_ok, "X": at_ok, "&C": at_ok, "&D": at_ok, "S": at_ok,
    "+CMEE": cmee,
    "+GSN": cgsn, "+CGSN": cgsn,
    "+QCCID": _const(lambda s: f"+QCCID: {s.config.iccid}"),
    "+CCID": _const(lambda s: f"+CCID: {s.config.iccid}"),
    "+CIMI": _const(lambda s: s.config.imsi),
    "+CSQ": _const(lambda s: f"+CSQ: {s.config.rssi},{s.config.ber}"),
    "+CPIN": _const(lambda s: "+CPIN: READY"),
    "+CGMI": _const(lambda s: s.config.manufacturer),
    "+GMI": _const(lambda s: s.config.manufacturer),
    "+CGMM": _const(lambda s: s.config.model),
    "+GMM": _const(lambda s: s.config.model),
    "+CGMR": _const(lambda s: s.config.revision),
    "+GMR": _const(lambda s: s.config.revision),
    "+QGMR": _const(lambda s: s.config.qgmr),
    "+CNUM": _const(lambda s: f'+CNUM: "","{s.config.number}",{145 if s.config.number.startswith("+") else 129}'),
    "+CREG": _registration("+CREG"), "+CGREG": _registration("+CGREG"),
    "+CEREG": _registration("+CEREG"),
    "+QURCCFG": qurccfg,
    "+QGPSCFG": qgpscfg, "+QGPS": qgps, "+QGPSEND": qgpsend, "+QGPSLOC": qgpsloc_handler,
}
