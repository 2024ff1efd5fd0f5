"""Every open connection of the platform, in least-recently-active order, and the rules
that close connections nobody should keep: idle ones, ones that never authenticate, the
oldest UDP peers past a bound, and (when file descriptors run out) the idlest
unauthenticated ones first.
"""
from __future__ import annotations

import collections
import math

import attrs

from ..session import AUTHENTICATED
from ._driver import SessionDriver

__all__ = ["Link", "LinkTable", "LinkLimits", "DEFAULT_IDLE_TIMEOUT", "DEFAULT_AUTH_TIMEOUT",
           "DEFAULT_MAX_UDP_PEERS"]

#: 3 heartbeat intervals of the standard's default 60 s (parameter 0x0001).
DEFAULT_IDLE_TIMEOUT = 180.0
DEFAULT_AUTH_TIMEOUT = 60.0
DEFAULT_MAX_UDP_PEERS = 4096


@attrs.define(slots=True, eq=False)
class Link:
    """One connection: its driver, when it opened, the phone it authenticated as."""

    driver: SessionDriver
    datagram: bool
    opened: float
    bearer: str = "tcp"
    phone: str | None = None          # set once 0x0102 succeeded on this connection
    peer_key: bool = False            # the terminal sent its RSA key (0x0A00)

    @property
    def authenticated(self) -> bool:
        return self.phone is not None and self.driver.session.state == AUTHENTICATED

    def last_active(self) -> float:
        received = self.driver.session.last_received
        return self.opened if received is None else received


@attrs.frozen(slots=True)
class LinkLimits:
    """``idle_timeout``: seconds without input before a connection is closed (default 3
    heartbeat intervals of 60 s). ``auth_timeout``: seconds a connection may stay
    unauthenticated. ``max_udp_peers``: UDP peers kept at once (least recently active
    closed first). ``math.inf`` / ``None`` turn a rule off."""

    idle_timeout: float = attrs.field(default=DEFAULT_IDLE_TIMEOUT,
                                      converter=lambda v: math.inf if v is None else v)
    auth_timeout: float = attrs.field(default=DEFAULT_AUTH_TIMEOUT,
                                      converter=lambda v: math.inf if v is None else v)
    max_udp_peers: int | None = DEFAULT_MAX_UDP_PEERS

    def check_interval(self) -> float:
        """How often the reaper looks: a quarter of the shortest timeout, 0.05..30 s."""
        shortest = min(self.idle_timeout, self.auth_timeout)
        return 30.0 if math.isinf(shortest) else min(30.0, max(0.05, shortest / 4))


class LinkTable:
    """Open connections by driver; counts what was closed and why."""

    def __init__(self, limits: LinkLimits) -> None:
        self.limits = limits
        self._links: collections.OrderedDict[SessionDriver, Link] = collections.OrderedDict()
        self._udp = 0
        self.evicted: collections.Counter[str] = collections.Counter()

    def __len__(self) -> int:
        return len(self._links)

    def __iter__(self):
        return iter(list(self._links.values()))

    def get(self, driver: SessionDriver) -> Link | None:
        return self._links.get(driver)

    def add(self, link: Link) -> list[Link]:
        """Register ``link``; returns the UDP peers to close to stay within the bound."""
        self._links[link.driver] = link
        if link.bearer != "udp":
            return []
        self._udp += 1
        bound = self.limits.max_udp_peers
        if bound is None or self._udp <= bound:
            return []
        udp = sorted((lk for lk in self._links.values() if lk.bearer == "udp" and lk is not link),
                     key=Link.last_active)
        victims = udp[:self._udp - bound]
        self.evicted["UDP peers over the bound"] += len(victims)
        return victims

    def remove(self, link: Link) -> None:
        if self._links.pop(link.driver, None) is not None and link.bearer == "udp":
            self._udp -= 1

    def expired(self, now: float) -> list[Link]:
        """Connections past the idle timeout or the authentication timeout.

        SMS links are exempt: an exchange of messages takes minutes, a terminal on SMS
        sends no heartbeat, and they hold no descriptor (``SmsCentreListener(max_peers)``
        bounds them)."""
        limits, out = self.limits, []
        for link in self._links.values():
            if link.driver.closed or link.bearer == "sms":
                continue
            if now - link.last_active() >= limits.idle_timeout:
                self.evicted["idle"] += 1
                out.append(link)
            elif not link.authenticated and now - link.opened >= limits.auth_timeout:
                self.evicted["never authenticated"] += 1
                out.append(link)
        return out

    def idlest_unauthenticated(self, count: int) -> list[Link]:
        """Up to ``count`` open, unauthenticated stream connections, idlest first."""
        candidates = [lk for lk in self._links.values()
                      if not lk.authenticated and not lk.datagram and not lk.driver.closed]
        candidates.sort(key=Link.last_active)
        return candidates[:count]
