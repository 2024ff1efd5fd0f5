"""The reference platform (server side of JT/T 808) for tests, demos and ``jt808 platform``.

``Platform`` accepts many terminals over any listener ``open_listener`` supports (tcp,
udp, memory), runs one ``PlatformSession`` per connection (per peer for UDP), registers
and authenticates terminals, acknowledges their messages, records what they send and
lets a caller push a command and await the reply. ``MiniTerminal`` is a bare
``TerminalSession`` client for tests and the demo; ``SessionDriver`` runs any session
over a transport with anyio; ``shared_modem_url`` lets a ``Terminal`` reconnect through
one Quectel driver opened by the caller.
"""
from ._describe import describe
from ._driver import SessionDriver
from ._mini_terminal import MiniTerminal, RawMediaUpload, location, media_upload_body
from ._server import AckFilter, Platform
from ._shared_modem import shared_modem_url
from ._sms_gateway import SmsCentreListener, SmsCentreTransport
from ._terminal_state import TerminalRecord

__all__ = ["Platform", "AckFilter", "TerminalRecord", "SessionDriver", "MiniTerminal",
           "RawMediaUpload", "location", "media_upload_body", "describe", "shared_modem_url",
           "SmsCentreListener", "SmsCentreTransport"]
