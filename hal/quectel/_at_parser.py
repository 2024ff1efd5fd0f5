"""Sans-IO AT response parser: feed bytes from the modem, get events back.

Line discipline from quectel-at.md §1: responses and URCs are framed
``\\r\\n<text>\\r\\n``; an echoed command ends with a bare ``\\r``; the data
prompt is ``\\r\\n> `` (matched on ``>`` alone); URCs may arrive between any two
lines; after ``+QIRD: n`` and ``+QIURC: "recv",id,n`` exactly ``n`` raw bytes
follow (§2, §3); after ``+CMT: ...,len`` the next line is the PDU hex (§6).

Events: :class:`Line` (an information response), :class:`Final` (the result
code that ends a command), :class:`Urc` (unsolicited), :class:`Prompt`.
The parser does no I/O and keeps at most ``max_line`` bytes of a line.
"""
from __future__ import annotations

import re

import attrs

__all__ = ["AtParser", "Line", "Final", "Urc", "Prompt", "Event",
           "ALWAYS_URC", "CONDITIONAL_URC"]


@attrs.frozen
class Line:
    """An information-response line; ``data`` holds the raw bytes after ``+QIRD: n``."""

    text: str
    data: bytes | None = None


@attrs.frozen
class Final:
    """A final result code. ``ok`` is False for ERROR, +CME/+CMS ERROR, SEND FAIL, NO CARRIER."""

    text: str
    ok: bool
    kind: str | None = None          # "CME" / "CMS" for coded errors
    code: int | None = None


@attrs.frozen
class Urc:
    """An unsolicited result code; ``data`` holds push-mode bytes or the +CMT PDU line."""

    text: str
    data: bytes | None = None


@attrs.frozen
class Prompt:
    """The data prompt ``>`` of AT+QISEND / AT+CMGS."""


Event = Line | Final | Urc | Prompt

#: Line prefixes that are always unsolicited (quectel-at.md §1-§3, §6, §8).
ALWAYS_URC = ("+QIURC:", "+QIOPEN:", "+CMTI:", "+CMT:", "+CDSI:", "+CDS:", "+QIND:",
              "+QUSIM:", "RDY", "POWERED DOWN", "+QPING:", "+QGPSURC:", "+QSIMSTAT:",
              "+CRING:", "RING", "+QIRDI:", "+QNTP:")
#: Prefixes that answer their own command (AT+CPIN?, AT+CREG?, ...) but are URCs otherwise.
CONDITIONAL_URC = ("+CPIN:", "+CFUN:", "+CREG:", "+CGREG:", "+CEREG:")

_PLAIN_FINALS = {"OK": True, "ERROR": False, "SEND OK": True, "SEND FAIL": False,
                 "NO CARRIER": False, "CONNECT": True}
_CODED_FINAL = re.compile(r"\+(CME|CMS) ERROR: *(.*)")
_QIRD_DATA = re.compile(r'\+QIRD: (\d+)(,"[^"]*",\d+)?')
_RECV_PUSH = re.compile(r'\+QIURC: "recv",\d+,(\d+)(,"[^"]*",\d+)?')
_REG_RESPONSE = re.compile(r"\+C(?:E|G)?REG: \d+,\d+")   # <n>,<stat>: reply to AT+CxREG?


def _final(text: str) -> Final | None:
    if text in _PLAIN_FINALS:
        return Final(text, _PLAIN_FINALS[text])
    if text.startswith("CONNECT "):
        return Final(text, True)
    match = _CODED_FINAL.fullmatch(text)
    if match:
        value = match.group(2).strip()
        return Final(text, False, match.group(1), int(value) if value.isascii() and value.isdigit() else None)
    return None


def _command_prefix(command: str | None) -> str | None:
    """'AT+CPIN?' -> '+CPIN:'  (the prefix of that command's own response lines)."""
    if not command:
        return None
    match = re.match(r"AT(\+[A-Z0-9]+)", command.upper())
    return match.group(1) + ":" if match else None


class AtParser:
    """Byte-level AT state machine. ``feed(bytes) -> list[Event]``.

    Call :meth:`begin` with each command written so the parser can drop its
    echo and tell a command's own response (``+CPIN: READY`` after
    ``AT+CPIN?``) from the same text arriving as a URC.
    Lines longer than ``max_line`` are dropped (``dropped_lines`` counts them),
    as are raw-data announcements above ``max_data``.
    """

    def __init__(self, *, max_line: int = 4096, max_data: int = 4096,
                 always_urc: tuple[str, ...] = ALWAYS_URC,
                 conditional_urc: tuple[str, ...] = CONDITIONAL_URC) -> None:
        self.max_line = max_line
        self.max_data = max_data
        self.always_urc = always_urc
        self.conditional_urc = conditional_urc
        self.dropped_lines = 0
        self._buf = bytearray()
        self._overflow = False          # discarding until the next line end
        self._skip_lf = False           # a \r ended the last line; eat one \n
        self._skip_space = False        # after '>', eat one ' '
        self._raw_left = 0              # raw bytes still owed to _raw_for
        self._raw = bytearray()
        self._raw_for: Line | Urc | None = None
        self._cmt: Urc | None = None    # +CMT header waiting for its PDU line
        self._command: str | None = None
        self._echo: str | None = None

    @property
    def command(self) -> str | None:
        """The command whose final result code has not arrived yet."""
        return self._command

    def begin(self, command: str) -> None:
        """Tell the parser ``command`` (without ``\\r``) was just written."""
        self._command = command
        self._echo = command.strip().upper()

    def feed(self, data: bytes) -> list[Event]:
        events: list[Event] = []
        view = memoryview(bytes(data))
        pos = 0
        while pos < len(view):
            if self._raw_left:
                pos = self._feed_raw(view, pos, events)
            else:
                self._feed_byte(view[pos], events)
                pos += 1
        return events

    # -------------------------------------------------------------- raw data

    def _feed_raw(self, view: memoryview, pos: int, events: list[Event]) -> int:
        if self._skip_lf:
            self._skip_lf = False
            if view[pos] == 0x0A:
                return pos + 1
        chunk = view[pos:pos + self._raw_left]
        self._raw += chunk
        self._raw_left -= len(chunk)
        if not self._raw_left:
            assert self._raw_for is not None
            events.append(attrs.evolve(self._raw_for, data=bytes(self._raw)))
            self._raw.clear()
            self._raw_for = None
        return pos + len(chunk)

    # -------------------------------------------------------------- line mode

    def _feed_byte(self, byte: int, events: list[Event]) -> None:
        skip_lf, self._skip_lf = self._skip_lf, False
        skip_space, self._skip_space = self._skip_space, False
        if byte == 0x0A and skip_lf or byte == 0x20 and skip_space:
            return
        if byte in (0x0D, 0x0A):
            self._skip_lf = byte == 0x0D
            self._end_line(events)
        elif byte in (0x1A, 0x1B):
            return                                  # stray Ctrl-Z / ESC (§2 binary safety)
        elif byte == 0x3E and not self._buf and not self._overflow:
            self._skip_space = True
            events.append(Prompt())
        elif self._overflow:
            return
        elif len(self._buf) >= self.max_line:
            self._overflow = True
            self.dropped_lines += 1
            self._buf.clear()
        else:
            self._buf.append(byte)

    def _end_line(self, events: list[Event]) -> None:
        if self._overflow:
            self._overflow = False
            return
        if not self._buf:
            return
        text = self._buf.decode("latin-1").strip()
        self._buf.clear()
        if text:
            self._classify(text, events)

    def _classify(self, text: str, events: list[Event]) -> None:
        if self._cmt is not None:
            events.append(attrs.evolve(self._cmt, data=text.encode("latin-1")))
            self._cmt = None
            return
        if self._echo is not None and text.upper() == self._echo:
            self._echo = None
            return
        if self._is_urc(text):
            self._urc(text, events)
            return
        final = _final(text)
        if final is not None:
            self._command = self._echo = None
            events.append(final)
            return
        match = _QIRD_DATA.fullmatch(text)
        if match and int(match.group(1)):
            self._start_raw(Line(text), int(match.group(1)), events)
            return
        events.append(Line(text))

    def _urc(self, text: str, events: list[Event]) -> None:
        urc = Urc(text)
        match = _RECV_PUSH.fullmatch(text)
        if match and int(match.group(1)):
            self._start_raw(urc, int(match.group(1)), events)
        elif text.startswith("+CMT:"):
            self._cmt = urc
        else:
            events.append(urc)

    def _start_raw(self, owner: Line | Urc, length: int, events: list[Event]) -> None:
        if length > self.max_data:
            self.dropped_lines += 1
            events.append(owner)                   # announce without swallowing bytes
            return
        self._raw_for = owner
        self._raw_left = length

    def _is_urc(self, text: str) -> bool:
        if text.startswith(self.always_urc):
            return True
        if not text.startswith(self.conditional_urc):
            return False
        own = _command_prefix(self._command)
        if own is not None and text.startswith(own):
            # AT+CREG? answers "+CREG: <n>,<stat>"; the URC is "+CREG: <stat>[,"lac",...]"
            return own.endswith("REG:") and not _REG_RESPONSE.match(text)
        return True
