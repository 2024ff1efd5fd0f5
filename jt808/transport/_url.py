"""Small helpers to read a transport URL: host and port, typed query options."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import SplitResult, parse_qsl

__all__ = ["host_port", "url_options", "query_pairs"]


def query_pairs(url: SplitResult) -> list[tuple[str, str]]:
    """The query's ``(key, value)`` pairs; a ``+`` stays a ``+`` (``number=+8613…``)."""
    return parse_qsl(url.query.replace("+", "%2B"), keep_blank_values=True)


def host_port(url: SplitResult) -> tuple[str, int]:
    """``tcp://host:port`` -> ``(host, port)``; ``ValueError`` naming what is missing."""
    try:
        port = url.port
    except ValueError as exc:
        raise ValueError(f"bad port in {url.geturl()!r}: {exc}") from None
    if not url.hostname:
        raise ValueError(f"no host in {url.geturl()!r} (expected {url.scheme}://host:port)")
    if port is None:
        raise ValueError(f"no port in {url.geturl()!r} (expected {url.scheme}://host:port)")
    return url.hostname, port


def url_options(url: SplitResult, types: Mapping[str, Callable[[str], Any]],
                options: Mapping[str, Any]) -> dict[str, Any]:
    """Merge the URL query (converted by ``types``) with keyword ``options`` (which win).

    An unknown query key or keyword, or a value that does not convert, is a ``ValueError``.
    """
    merged: dict[str, Any] = {}
    for key, text in query_pairs(url):
        if key not in types:
            raise ValueError(f"unknown option {key!r} in {url.geturl()!r}; "
                             f"known: {', '.join(sorted(types))}")
        try:
            merged[key] = types[key](text)
        except ValueError as exc:
            raise ValueError(f"bad value {text!r} for {key!r} in {url.geturl()!r}: {exc}") from None
    for key, value in options.items():
        if key not in types:
            raise ValueError(f"unknown option {key!r} for {url.scheme!r}; "
                             f"known: {', '.join(sorted(types))}")
        merged[key] = value
    return merged
