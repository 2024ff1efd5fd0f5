"""Type-checked, never run: what a user writes against ``Terminal`` must type-check
without casts (issue 13). ``mypy`` (run by ``.ci/run``) checks this file with the
packages; a change that widens a return type back to a union fails CI there."""
from __future__ import annotations

from jt808.codec import (LocationReport, MediaDataUpload, QueryServerTime, TerminalAuth,
                         TerminalRegister)
from jt808.errors import RegistrationRefused
from jt808.terminal import Terminal


async def register_and_read_the_code(terminal: Terminal, info: TerminalRegister) -> str:
    try:
        reply = await terminal.register(info)
    except RegistrationRefused as refused:
        return f"refused: {refused.reply!r}"
    return reply.auth_code if reply.result == 0 else ""


async def results(terminal: Terminal, report: LocationReport, photo: MediaDataUpload) -> int:
    login = await terminal.login()
    general = await terminal.request(TerminalAuth("code"))
    located = await terminal.report_location(report)
    media = await terminal.request(photo)
    time = await terminal.request(QueryServerTime())
    return login.result + general.result + (located.result if located else 0) + \
        len(str(media)) + len(str(time))
