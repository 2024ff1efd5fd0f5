"""What every command shares: the usage error, address parsing, running async code."""
from __future__ import annotations

import sys

import anyio

__all__ = ["UsageError", "parse_host_port", "parse_address", "run_async", "single_error"]

if sys.version_info >= (3, 11):
    _Group = BaseExceptionGroup
else:  # Python 3.10: anyio depends on the backport
    from exceptiongroup import BaseExceptionGroup as _Group


class UsageError(Exception):
    """A bad command-line value: printed on one line, exit code 2."""


def parse_host_port(text: str, what: str = "address") -> tuple[str, int]:
    """``HOST:PORT`` (``[v6]:PORT`` too) -> ``(host, port)``; ``UsageError`` otherwise."""
    host, sep, port_text = text.rpartition(":")
    host = host.strip("[]")
    if not sep or not host:
        raise UsageError(f"{what} {text!r} is not HOST:PORT")
    try:
        port = int(port_text)
    except ValueError:
        raise UsageError(f"{what} {text!r}: port {port_text!r} is not a number") from None
    if not 0 <= port <= 65535:
        raise UsageError(f"{what} {text!r}: port {port} is outside 0..65535")
    return host, port


def parse_address(text: str, what: str = "address",
                  schemes: tuple[str, ...] = ("tcp", "udp")) -> tuple[str | None, str, int]:
    """``HOST:PORT`` or ``SCHEME://HOST:PORT`` (one of ``schemes``) -> ``(scheme or None,
    host, port)``: the one address syntax of every command."""
    scheme, sep, rest = text.partition("://")
    if not sep:
        return (None, *parse_host_port(text, what))
    if scheme.lower() not in schemes:
        raise UsageError(f"{what} {text!r}: use HOST:PORT or "
                         + " or ".join(f"{s}://HOST:PORT" for s in schemes))
    return (scheme.lower(), *parse_host_port(rest.rstrip("/"), what))


def run_async(function, *args):
    """``anyio.run`` that re-raises a task group's single error as itself."""
    try:
        return anyio.run(function, *args)
    except _Group as group:
        raise single_error(group) from None


def single_error(exc: BaseException) -> BaseException:
    while isinstance(exc, _Group) and len(exc.exceptions) == 1:
        exc = exc.exceptions[0]
    return exc
