"""What a simulation runs: the server, how many terminals, for how long, how often."""
from __future__ import annotations

import attrs

from ..frame import Version

__all__ = ["SimConfig"]


@attrs.frozen
class SimConfig:
    """``server``: ``tcp://host:port`` or ``udp://host:port``. ``rate``: seconds between
    location reports per terminal; ``ramp``: seconds over which terminals connect (None:
    one second per 1,000 terminals); ``duration`` counts from the first connection, ramp
    included; afterwards no new report is sent and replies are awaited up to ``drain``
    seconds. ``late``: a reply slower than this counts as late. ``heartbeat`` and
    ``reply_timeout`` become the session's link parameters 0x0001 and 0x0002/0x0004.
    """

    server: str
    terminals: int = 10
    duration: float = 10.0
    rate: float = 5.0
    ramp: float | None = None
    processes: int = 1
    version: Version = Version.V2013
    phone_base: int = 13_900_000_000
    heartbeat: int = 30
    reply_timeout: int = 10
    late: float = 1.0
    drain: float = 10.0
    progress: bool = True

    @property
    def ramp_seconds(self) -> float:
        return self.ramp if self.ramp is not None else self.terminals / 1000

    def phone(self, index: int) -> str:
        width = 20 if self.version is Version.V2019 else 12
        return f"{self.phone_base + index:0{width}d}"
