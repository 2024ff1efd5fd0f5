"""The reference platform (server side of JT/T 808) for tests, demos and ``jt808 platform``.

``Platform`` accepts many terminals over any listener ``open_listener`` supports (tcp,
udp, memory), runs one ``PlatformSession`` per connection (per peer for UDP), registers
and authenticates terminals, acknowledges their messages, records what they send and
lets a caller push a command and await the reply. ``SessionDriver`` runs any session
over a transport with anyio. The demo and its bare ``MiniTerminal`` client live in
``jt808.demo``; this package imports neither ``jt808.terminal`` nor the CLI.
"""
from ._describe import describe
from ._driver import SessionDriver
from ._media_server import ChannelRecord, MediaServer
from ._server import AckFilter, Platform
from ._sms_gateway import SmsCentreListener, SmsCentreTransport
from ._terminal_state import TerminalRecord

__all__ = ["Platform", "AckFilter", "TerminalRecord", "SessionDriver", "describe",
           "SmsCentreListener", "SmsCentreTransport", "MediaServer", "ChannelRecord"]
