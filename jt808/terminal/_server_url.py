"""The terminal's server URL with the address and port parameters (0x0013, 0x0018,
0x0019) or a 0x8105 server put in: ``tcp://host:port`` and ``udp://host:port`` take
them in the network location, modem URLs (``quectel+tcp:///dev/ttyUSB2?host=…&port=…``)
in their ``host``/``port`` query; other URLs (``memory://``, ``sms://``) stay as they are.
"""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = ["server_url"]


def _is_udp(scheme: str) -> bool:
    return "udp" in scheme.lower().replace("-", "+").split("+")


def server_url(url: str, host: object, tcp_port: object = None,
               udp_port: object = None) -> str:
    """``url`` pointed at ``host`` and the port of its bearer (a missing or zero port
    keeps the URL's)."""
    parts = urlsplit(url)
    port = udp_port if _is_udp(parts.scheme) else tcp_port
    host = host if isinstance(host, str) and host else None
    port = port if isinstance(port, int) and 0 < port <= 0xFFFF else None
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    if "host" in query:
        if host is not None:
            query["host"] = host
        if port is not None:
            query["port"] = str(port)
        rebuilt = f"{parts.scheme}://{parts.netloc}{parts.path}?{urlencode(query)}"
        return rebuilt + (f"#{parts.fragment}" if parts.fragment else "")
    if parts.scheme.lower() not in ("tcp", "udp") or not parts.hostname:
        return url
    new_host = host if host is not None else parts.hostname
    if ":" in new_host:
        new_host = f"[{new_host}]"
    new_port = port if port is not None else parts.port
    netloc = new_host if new_port is None else f"{new_host}:{new_port}"
    return urlunsplit(parts._replace(netloc=netloc))
