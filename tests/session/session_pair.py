"""A terminal and a platform session joined by a fake link with explicit time."""
from __future__ import annotations

from jt808.codec import TerminalAuth, TerminalRegister, TerminalRegisterResponse
from jt808.frame import Version
from jt808.session import (AUTHENTICATED, MessageReceived, PlatformSession, StateChanged,
                           TerminalSession)


class SessionPair:
    """Moves bytes between the two sessions; ``drop`` filters terminal->platform frames."""

    def __init__(self, version: Version = Version.V2013, **options) -> None:
        self.terminal = TerminalSession("13800138000", version, **options)
        self.platform = PlatformSession(version=version, **options)
        self.now = 0.0
        self.uplink: list[bytes] = []      # every frame the terminal put on the wire

    def pump(self, drop=lambda frame: False) -> None:
        for _ in range(10):
            up = self.terminal.datagrams_to_send()
            down = self.platform.datagrams_to_send()
            if not up and not down:
                return
            self.uplink.extend(up)
            for frame in up:
                if not drop(frame):
                    self.platform.receive_data(frame, self.now)
            for frame in down:
                self.terminal.receive_data(frame, self.now)

    def events(self, side) -> list:
        out = []
        while (event := side.next_event()) is not None:
            if not isinstance(event, StateChanged):
                out.append(event)
        return out

    def advance(self, to: float) -> None:
        """Run both sessions' timers up to time ``to``."""
        while True:
            timers = [t for t in (self.terminal.get_timer(), self.platform.get_timer())
                      if t is not None and t <= to]
            if not timers:
                break
            self.now = min(timers)
            self.terminal.handle_timer(self.now)
            self.platform.handle_timer(self.now)
            self.pump()
        self.now = to

    def login(self) -> None:
        register = TerminalRegister(31, 115, "70111", "M1", "T1", 1, "A12345")
        self.terminal.send(register, self.now)
        self.pump()
        [request] = [e for e in self.events(self.platform) if isinstance(e, MessageReceived)]
        self.platform.send(TerminalRegisterResponse(request.header.serial, 0, "CODE"), self.now)
        self.pump()
        self.terminal.send(TerminalAuth("CODE", "123456789012345", "1.0"), self.now)
        self.pump()
        [auth] = [e for e in self.events(self.platform) if isinstance(e, MessageReceived)]
        self.platform.reply(auth.header, 0, self.now)
        self.pump()
        self.events(self.terminal)
        assert self.terminal.state == AUTHENTICATED == self.platform.state
