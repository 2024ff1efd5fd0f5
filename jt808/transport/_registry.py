"""Pick a transport by URL scheme: a table of lazy imports plus the ``jt808.transports``
entry-point group, the way python-can picks its buses.

A backend is a module (or any object) with
``async def open_transport(url: SplitResult, **options)`` and, when it can serve,
``async def open_listener(url: SplitResult, **options)``. The built-in table wins
over entry points, so a plug-in cannot take over ``tcp``.
"""
from __future__ import annotations

import importlib
import importlib.metadata
from typing import Any
from urllib.parse import SplitResult, urlsplit

from ..errors import TransportImportError, UnknownTransportError
from ._base import ByteStreamTransport, DatagramTransport, Listener

__all__ = ["TRANSPORTS", "ENTRY_POINT_GROUP", "register_transport", "open_transport",
           "open_listener"]

ENTRY_POINT_GROUP = "jt808.transports"

#: scheme -> "module" or "module:attribute", imported on first use.
TRANSPORTS: dict[str, str] = {
    "memory": "jt808.transport._memory",
    "tcp": "jt808.transport._tcp",
    "udp": "jt808.transport._udp",
    "quectel+tcp": "jt808.transport._quectel",
    "quectel+udp": "jt808.transport._quectel",
    "sms": "jt808.transport._sms",
}


def register_transport(scheme: str, target: str) -> None:
    """Add (or replace) ``scheme`` -> ``"module[:attribute]"``; imported on first use."""
    TRANSPORTS[scheme.lower()] = target


def _import_target(scheme: str, target: str) -> Any:
    module_name, _, attribute = target.partition(":")
    try:
        backend = importlib.import_module(module_name)
        return getattr(backend, attribute) if attribute else backend
    except Exception as exc:  # any failure while importing a registered backend
        raise TransportImportError(
            f"transport {scheme!r} is registered as {target!r} but failed to import: "
            f"{type(exc).__name__}: {exc}") from exc


def _load_entry_point(scheme: str) -> Any | None:
    for entry_point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        if entry_point.name.lower() == scheme:
            try:
                return entry_point.load()
            except Exception as exc:  # a broken plug-in is an import failure, not "unknown"
                raise TransportImportError(
                    f"transport {scheme!r} (entry point {entry_point.value!r}) failed to "
                    f"import: {type(exc).__name__}: {exc}") from exc
    return None


def _backend(url: str) -> tuple[Any, SplitResult]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in TRANSPORTS:
        return _import_target(scheme, TRANSPORTS[scheme]), parts
    backend = _load_entry_point(scheme) if scheme else None
    if backend is None:
        known = ", ".join(sorted(TRANSPORTS))
        raise UnknownTransportError(
            f"no transport for scheme {scheme!r} in {url!r} (built in: {known}; "
            f"plug-ins: entry-point group {ENTRY_POINT_GROUP!r})")
    return backend, parts


def _entry(backend: Any, scheme: str, name: str) -> Any:
    function = getattr(backend, name, None)
    if function is None:
        raise TransportImportError(f"transport {scheme!r} backend {backend!r} has no {name}()")
    return function


async def open_transport(url: str, **options: Any) -> ByteStreamTransport | DatagramTransport:
    """Open and connect the transport ``url`` names; the caller closes it (``aclose``).

    ``options`` are backend keywords (they override the URL's query), e.g.
    ``modem=`` to share an already open Quectel driver. Raises
    ``UnknownTransportError`` for an unknown scheme, ``TransportImportError`` when
    the backend is registered but cannot be imported, ``TransportError`` when
    connecting fails and ``ValueError`` for a malformed URL.
    """
    backend, parts = _backend(url)
    return await _entry(backend, parts.scheme, "open_transport")(parts, **options)


async def open_listener(url: str, **options: Any) -> Listener:
    """Listen on ``url`` (``tcp://host:port``, ``udp://host:port``, ``memory://name``).

    Port 0 picks a free port; read it back from ``listener.address``.
    """
    backend, parts = _backend(url)
    if getattr(backend, "open_listener", None) is None:
        raise UnknownTransportError(f"transport {parts.scheme!r} cannot listen ({url!r})")
    return await backend.open_listener(parts, **options)
