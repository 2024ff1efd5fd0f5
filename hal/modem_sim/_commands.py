"""The command table: AT command name -> ``handler(state, cmd) -> Reply``.

Each command module exports one ``{name: handler}`` table and imports only
``_state`` (and helpers below it); this module merges them and runs command lines.
To add a command module, add its table to ``COMMAND_TABLES`` (one line).
``execute_line`` runs one command line (``;``-chained commands included).
"""
from __future__ import annotations

import traceback

from ._at import AtError, Command, Reply, ok, parse_line
from ._basic_commands import BASIC_COMMANDS
from ._call_commands import CALL_COMMANDS
from ._ip_commands import IP_COMMANDS
from ._sms_commands import SMS_COMMANDS
from ._state import Handler, ModemState

__all__ = ["COMMANDS", "COMMAND_TABLES", "execute_line", "error_reply"]

#: Command tables, merged in order into ``COMMANDS``.
COMMAND_TABLES: tuple[dict[str, Handler], ...] = (BASIC_COMMANDS, IP_COMMANDS, SMS_COMMANDS,
                                                  CALL_COMMANDS)

COMMANDS: dict[str, Handler] = {name: handler for table in COMMAND_TABLES
                                for name, handler in table.items()}

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


def error_reply(state: ModemState, err: AtError) -> Reply:
    """``ERROR`` / ``+CME ERROR: n`` / ``+CMS ERROR: n`` as ``AT+CMEE`` asks."""
    if err.kind == "plain" or state.cmee == 0:
        return Reply(final="ERROR")
    prefix, texts = ("+CME ERROR", CME_TEXT) if err.kind == "cme" else ("+CMS ERROR", CMS_TEXT)
    value = texts.get(err.code, "unknown") if state.cmee == 2 else str(err.code)
    return Reply(final=f"{prefix}: {value}")


def run(state: ModemState, cmd: Command) -> Reply:
    handler = COMMANDS.get(cmd.name)
    if handler is None:
        return Reply(final="ERROR")
    try:
        return handler(state, cmd)
    except AtError as err:
        return error_reply(state, err)
    except Exception:            # a simulator bug: report it, answer ERROR, keep running
        traceback.print_exc()
        return Reply(final="ERROR")


def execute_line(state: ModemState, line: str) -> Reply | None:
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
        reply = run(state, cmd)
        last = i == len(commands) - 1
        if last or reply.final != "OK" or reply.data_mode is not None:
            return Reply(raw=head + reply.body(), final=reply.final,
                         data_mode=reply.data_mode)
        head += reply.body()
    raise AssertionError("unreachable")
