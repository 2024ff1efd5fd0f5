"""``TerminalOptions``: everything a ``Terminal`` is configured with, checked once.

``Terminal(url, phone=…, …)`` builds one from its keyword arguments; ``Terminal(url,
options)`` takes one ready-made (keyword arguments then override its fields).
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Callable

import attrs

from ..codec import TerminalRegister
from ..frame import Version
from ..session import RsaKeyPair

__all__ = ["TerminalOptions", "BEARERS", "to_version"]

BEARERS = ("tcp", "udp", "sms")


def to_version(value: Any) -> Version:
    """A ``Version`` from a ``Version``, an int (2011/2013/2019) or a string ("2019")."""
    if isinstance(value, Version):
        return value
    try:
        return Version(int(value))
    except (TypeError, ValueError):
        raise ValueError(f"version must be 2011, 2013 or 2019, got {value!r}") from None


def _check_bearer(_: Any, attribute: attrs.Attribute, value: str | None) -> None:
    if value is not None and value not in BEARERS:
        raise ValueError(f"bearer must be one of {', '.join(BEARERS)}, got {value!r}")


def _at_least_one(_: Any, attribute: attrs.Attribute, value: int) -> None:
    if value < 1:
        raise ValueError(f"{attribute.name} must be >= 1, got {value!r}")


def _positive(_: Any, attribute: attrs.Attribute, value: float) -> None:
    if not value > 0:
        raise ValueError(f"{attribute.name} must be > 0, got {value!r}")


@attrs.frozen(kw_only=True)
class TerminalOptions:
    """The options of a ``Terminal`` (see its docstring for what each one does).

    ``version`` is 2019 by default; a ``Version``, an int or a string is accepted.

    ``clock`` is monotonic seconds (timers, retransmissions, heartbeats); ``wall_clock``
    is seconds since the epoch (the time stamped on a report with no GNSS time, the
    order of stored positions). Tests inject both."""

    phone: str
    version: Version = attrs.field(default=Version.V2019, converter=to_version)
    register_info: TerminalRegister | None = None
    auth_code: str | None = None
    imei: str = ""
    app_version: str = ""
    gnss: Any = None
    modem_info: Any = None
    camera: Any = None
    store_path: str | Path | None = None
    params: dict[int, Any] | None = None
    params_path: str | Path | None = None
    auth_path: str | Path | None = None
    rsa_key: RsaKeyPair | None = None
    rsa_key_path: str | Path | None = None
    bearer: str | None = attrs.field(default=None, validator=_check_bearer)
    sms_fallback: Any = None
    sms_fallback_after: int = attrs.field(default=3, validator=_at_least_one)
    primary_retry_interval: float = attrs.field(default=60.0, validator=_positive)
    #: keywords for ``open_transport`` of the primary URL (e.g. ``modem=`` to share one
    #: Quectel driver across reconnections, as ``jt808 run`` and the demo do)
    transport_options: dict = attrs.field(factory=dict, converter=lambda v: dict(v or {}))
    clock: Callable[[], float] = time.monotonic
    wall_clock: Callable[[], float] = time.time
