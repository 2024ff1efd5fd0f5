"""The options of ``jt808 run``: one table for the command line and ``--config``.

A ``--config`` file is JSON whose keys are the long option names (``report-interval`` or
``report_interval``); each value goes through the same conversion as on the command line,
and an unknown key is a usage error naming it. Options given on the command line win.
"""
from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

import attrs

from ._common import UsageError

__all__ = ["OPTIONS", "DEFAULT_VERSION", "add_options", "settings"]

DEFAULT_VERSION = "2019"
VERSIONS = ("2011", "2013", "2019")


def _version(text: str) -> str:
    if str(text) not in VERSIONS:
        raise ValueError(f"not one of {', '.join(VERSIONS)}")
    return str(text)


def _phone(text: str) -> str:
    if not str(text).isdigit() or len(str(text)) > 20:
        raise ValueError("must be up to 20 digits")
    return str(text)


def _bounded(low: int, high: int) -> Callable[[str], int]:
    def convert(text: str) -> int:
        value = int(str(text), 16) if str(text).lower().startswith("0x") else int(str(text))
        if not low <= value <= high:
            raise ValueError(f"must be {low}..{high}")
        return value
    return convert


def _seconds(text: str) -> float:
    value = float(text)
    if value < 0:
        raise ValueError("must be >= 0")
    return value


def _text(max_bytes: int, encoding: str = "ascii") -> Callable[[str], str]:
    def convert(text: str) -> str:
        if len(str(text).encode(encoding, "replace")) > max_bytes:
            raise ValueError(f"longer than {max_bytes} bytes")
        return str(text)
    return convert


@attrs.frozen
class Option:
    """One option: ``--name`` on the command line and ``name`` in ``--config``."""

    name: str
    convert: Callable[[str], Any] | None      # None: an on/off flag
    default: Any
    help: str
    metavar: str | None = None

    @property
    def key(self) -> str:
        return self.name.replace("-", "_")


OPTIONS: tuple[Option, ...] = (
    Option("server", str, None, "the platform: HOST:PORT, tcp://HOST:PORT or udp://HOST:PORT",
           "ADDRESS"),
    Option("transport", str, None,
           "transport URL instead of --server (tcp://, udp://, quectel+tcp://…, sms://…)", "URL"),
    Option("modem", str, None, "reach --server through the Quectel modem on this AT port",
           "PORT"),
    Option("udp", None, False, "UDP instead of TCP for a HOST:PORT --server"),
    Option("gnss", str, "route", "position source: route (simulated), modem (the modem's "
           "AT+QGPSLOC), none, an NMEA serial port (/dev/…; turned on with AT+QGPS=1 on "
           "--modem or --gnss-at) or an NMEA log file", "SOURCE"),
    Option("gnss-at", str, None, "AT port to send AT+QGPS=1 on when --gnss is an NMEA port "
           "and there is no --modem", "PORT"),
    Option("no-fix-warning", _seconds, 60.0, "say so when GNSS has no fix this many seconds "
           "after start", "SECONDS"),
    Option("phone", _phone, "13800138000", "terminal phone number (SIM number)", "DIGITS"),
    Option("version", _version, DEFAULT_VERSION, "protocol version: 2011, 2013 or 2019",
           "YEAR"),
    Option("auth-code", str, None, "skip registration, authenticate with this code", "CODE"),
    Option("store", str, None, "blind-area store (sqlite file; none: a temporary one)", "PATH"),
    Option("province", _bounded(0, 0xFFFF), 0, "province id of 0x0100 (GB/T 2260)", "ID"),
    Option("city", _bounded(0, 0xFFFF), 0, "city or county id of 0x0100 (GB/T 2260)", "ID"),
    Option("maker", _text(11), "JT808", "manufacturer id of 0x0100", "ID"),
    Option("model", _text(30), "PY-JT808", "terminal model of 0x0100", "MODEL"),
    Option("terminal-id", _text(30), None, "terminal id of 0x0100 (default: the last 7 "
           "digits of --phone)", "ID"),
    Option("plate", _text(40, "gbk"), "", "licence plate of 0x0100", "PLATE"),
    Option("plate-color", _bounded(0, 255), 0, "licence plate colour of 0x0100 (JT/T 697.7; "
           "0: no plate)", "N"),
    Option("heartbeat", _bounded(1, 0xFFFFFFFF), 30, "heartbeat interval in s (parameter "
           "0x0001)", "SECONDS"),
    Option("report-interval", _bounded(1, 0xFFFFFFFF), 30, "seconds between position "
           "reports (parameter 0x0029)", "SECONDS"),
    Option("summary-interval", _seconds, 60.0, "seconds between summary lines (0: none)",
           "SECONDS"),
    Option("connect-timeout", _seconds, 10.0, "keep retrying the first connection this "
           "many seconds, then give up (0: forever)", "SECONDS"),
)
_BY_KEY = {option.key: option for option in OPTIONS}


def add_options(parser: argparse.ArgumentParser) -> None:
    for option in OPTIONS:
        shown = _default_text(option)
        if option.convert is None:
            parser.add_argument(f"--{option.name}", action="store_true", default=None,
                                help=option.help + " (default off)")
        else:
            parser.add_argument(f"--{option.name}", metavar=option.metavar, default=None,
                                type=_for_argparse(option.convert), help=option.help + shown)
    parser.add_argument("--config", metavar="FILE",
                        help="JSON object of the options above by long name (default none)")


def _default_text(option: Option) -> str:
    if "default" in option.help:
        return ""
    if option.default is None:
        return " (default none)"
    if option.default == "":
        return " (default empty)"
    if isinstance(option.default, float):
        return f" (default {option.default:g})"
    return f" (default {option.default})"


def _for_argparse(convert: Callable[[str], Any]) -> Callable[[str], Any]:
    def checked(text: str) -> Any:
        try:
            return convert(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(f"{text!r}: {exc}") from None
    checked.__name__ = getattr(convert, "__name__", "value")
    return checked


def settings(args: argparse.Namespace) -> dict[str, Any]:
    """Defaults, then ``--config``, then the command line; each value converted."""
    merged = {option.key: option.default for option in OPTIONS}
    if getattr(args, "config", None):
        merged.update(_load_config(args.config))
    merged.update({key: value for key, value in vars(args).items()
                   if key in _BY_KEY and value is not None})
    return merged


def _load_config(path: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as handle:
            loaded = json.load(handle)
    except (OSError, ValueError) as exc:
        raise UsageError(f"--config {path}: {exc}") from None
    if not isinstance(loaded, dict):
        raise UsageError(f"--config {path}: expected a JSON object of option names")
    values = {}
    for name, value in loaded.items():
        option = _BY_KEY.get(str(name).replace("-", "_"))
        if option is None:
            known = ", ".join(o.name for o in OPTIONS)
            raise UsageError(f"--config {path}: unknown key {name!r} (known: {known})")
        values[option.key] = _config_value(path, option, value)
    return values


def _config_value(path: str, option: Option, value: Any) -> Any:
    if option.convert is None:
        if not isinstance(value, bool):
            raise UsageError(f"--config {path}: {option.name} must be true or false")
        return value
    if value is None or isinstance(value, (dict, list, bool)):
        raise UsageError(f"--config {path}: {option.name} {value!r} is not a plain value")
    try:
        return option.convert(str(value))
    except ValueError as exc:
        raise UsageError(f"--config {path}: {option.name} {value!r}: {exc}") from None
