"""The command table: AT command name -> handler(sim, cmd) -> Reply.

Basic, identity and GNSS handlers live here; TCP/IP and SMS handlers in
``_ip_commands`` and ``_sms_commands``. ``execute_line`` runs one command
line (``;``-chained commands included) and returns the reply.
"""
from __future__ import annotations

import datetime as dt
import traceback
from typing import TYPE_CHECKING, Callable

from ._at import AtError, Command, Reply, ok, parse_line
from ._gnss import CME_NOT_ACTIVE, CME_NOT_FIXED, CME_ONGOING, qgpsloc
from ._ip_commands import IP_COMMANDS
from ._sms_commands import SMS_COMMANDS

if TYPE_CHECKING:
    from ._simulator import ModemSimulator

__all__ = ["COMMANDS", "execute_line", "error_reply"]

Handler = Callable[["ModemSimulator", Command], Reply]

#: Verbose texts for ``AT+CMEE=2`` (27.007 §9.2 and Quectel GNSS codes).
CME_TEXT = {
    3: "operation not allowed", 4: "operation not supported", 10: "SIM not inserted",
    50: "incorrect parameters", 100: "unknown", 501: "invalid parameter(s)",
    502: "operation not supported", 503: "GNSS subsystem busy", 504: "session is ongoing",
    505: "session not active", 506: "operation timeout", 516: "not fixed now",
    549: "unknown error",
}
CMS_TEXT = {300: "ME failure", 302: "operation not allowed", 304: "invalid PDU mode parameter",
            321: "invalid memory index", 500: "unknown error"}


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


def at_ok(sim: ModemSimulator, cmd: Command) -> Reply:
    return ok()


def ate(sim: ModemSimulator, cmd: Command) -> Reply:
    sim.echo = bool(_flag(cmd))
    return ok()


def ati(sim: ModemSimulator, cmd: Command) -> Reply:
    c = sim.config
    return ok(f"{c.manufacturer}\r\n{c.model}\r\nRevision: {c.revision}")


def cmee(sim: ModemSimulator, cmd: Command) -> Reply:
    if cmd.kind == "read":
        return ok(f"+CMEE: {sim.cmee}")
    sim.cmee = _flag(cmd, 2)
    return ok()


def _const(text: Callable[[ModemSimulator], str]) -> Handler:
    def handler(sim: ModemSimulator, cmd: Command) -> Reply:
        if cmd.kind == "test":
            return ok()
        return ok(text(sim))
    return handler


def cgsn(sim: ModemSimulator, cmd: Command) -> Reply:
    if cmd.kind == "exec" and _arg(cmd, 0) == "1":
        return ok(f'+CGSN: "{sim.config.imei}"')
    return ok(sim.config.imei)


def _registration(name: str) -> Handler:
    def handler(sim: ModemSimulator, cmd: Command) -> Reply:
        if cmd.kind == "exec":
            sim.reg_n[name] = _flag(cmd, 2)
            return ok()
        n = sim.reg_n.get(name, 0)
        act = 7 if name != "+CREG" or sim.config.act == 7 else 0
        extra = f',"1A2B","0C3D4E01",{act}' if n == 2 else ""
        return ok(f"{name}: {n},{sim.config.reg_stat}{extra}")
    return handler


def qurccfg(sim: ModemSimulator, cmd: Command) -> Reply:
    if _arg(cmd, 0).lower() != "urcport":
        raise AtError()
    if len(cmd.args) == 1:
        return ok(f'+QURCCFG: "urcport","{sim.urc_port}"')
    sim.urc_port = _arg(cmd, 1).lower()
    return ok()


def qgpscfg(sim: ModemSimulator, cmd: Command) -> Reply:
    if _arg(cmd, 0).lower() == "outport":
        if len(cmd.args) == 1:
            return ok(f'+QGPSCFG: "outport","{sim.gnss.outport}"')
        sim.gnss.outport = _arg(cmd, 1).lower()
    return ok()


def qgps(sim: ModemSimulator, cmd: Command) -> Reply:
    if cmd.kind == "read":
        return ok(f"+QGPS: {int(sim.gnss.active)}")
    if cmd.kind == "test":
        return ok("+QGPS: (0,1),(1-255),(1-1000),(1-65535),(1-255)")
    if _arg(cmd, 0) != "1":
        raise AtError("cme", 501)
    if sim.gnss.active:
        raise AtError("cme", CME_ONGOING)
    sim.gnss.start(sim.now())
    return ok()


def qgpsend(sim: ModemSimulator, cmd: Command) -> Reply:
    if not sim.gnss.active:
        raise AtError("cme", CME_NOT_ACTIVE)
    sim.gnss.stop()
    return ok()


def qgpsloc_handler(sim: ModemSimulator, cmd: Command) -> Reply:
    mode = _flag(cmd, 2) if cmd.kind == "exec" else 0
    if not sim.gnss.active:
        raise AtError("cme", CME_NOT_ACTIVE)
    if not sim.gnss.fixed(sim.now()):
        raise AtError("cme", CME_NOT_FIXED)
    pos = sim.gnss.position(sim.elapsed())
    return ok(qgpsloc(pos, dt.datetime.now(dt.timezone.utc), mode))


COMMANDS: dict[str, Handler] = {
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
    **IP_COMMANDS,
    **SMS_COMMANDS,
}


def error_reply(sim: ModemSimulator, err: AtError) -> Reply:
    """``ERROR`` / ``+CME ERROR: n`` / ``+CMS ERROR: n`` as ``AT+CMEE`` asks."""
    if err.kind == "plain" or sim.cmee == 0:
        return Reply(final="ERROR")
    prefix, texts = ("+CME ERROR", CME_TEXT) if err.kind == "cme" else ("+CMS ERROR", CMS_TEXT)
    value = texts.get(err.code, "unknown") if sim.cmee == 2 else str(err.code)
    return Reply(final=f"{prefix}: {value}")


def run(sim: ModemSimulator, cmd: Command) -> Reply:
    handler = COMMANDS.get(cmd.name)
    if handler is None:
        return Reply(final="ERROR")
    try:
        return handler(sim, cmd)
    except AtError as err:
        return error_reply(sim, err)
    except Exception:            # a simulator bug: report it, answer ERROR, keep running
        traceback.print_exc()
        return Reply(final="ERROR")


def execute_line(sim: ModemSimulator, line: str) -> Reply | None:
    """Run one command line; None for a blank line, ERROR for junk."""
    if not line.strip(" \t\x00"):
        return None
    commands = parse_line(line)
    if commands is None:
        return Reply(final="ERROR")
    if not commands:
        return ok()
    head = b""
    for i, cmd in enumerate(commands):
        reply = run(sim, cmd)
        last = i == len(commands) - 1
        if last or reply.final != "OK" or reply.data_mode is not None:
            return Reply(raw=head + reply.body(), final=reply.final,
                         data_mode=reply.data_mode)
        head += reply.body()
    raise AssertionError("unreachable")
