"""atheris: ``TerminalSession`` / ``PlatformSession.receive_data`` with any byte stream.

Only ``RemoteProtocolError`` may leave ``receive_data``; ``next_event`` drains and
``handle_timer`` runs without raising; reassembly stays within its limits.
Input: role/version/state/strictness selector byte | stream (fed in chunks). Sessions
are built in all three versions (issue 14), tolerant (the default) or strict.
"""
import _harness
import atheris

with atheris.instrument_imports(include=["jt808"]):
    from jt808.errors import RemoteProtocolError
    from jt808.frame import Version
    from jt808.session import (AUTHENTICATED, CONNECTED, PlatformSession, ReassemblyLimits,
                               TerminalSession)

SMALL = ReassemblyLimits(max_packets=16, max_bytes=600, max_messages=2, timeout=5.0,
                         max_requests=1)


VERSIONS = (Version.V2011, Version.V2013, Version.V2019)


def _session(selector: int):
    version = VERSIONS[(selector >> 4) % 3]
    state = AUTHENTICATED if selector & 2 else CONNECTED
    limits = SMALL if selector & 4 else None
    strict = bool(selector & 1)
    if selector & 8:
        return PlatformSession(version=version, state=state, limits=limits, strict=strict)
    return TerminalSession("13800138000", version, state=state, limits=limits, strict=strict)


def test_one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    session = _session(fdp.ConsumeIntInRange(0, 63))
    now = 0.0
    while fdp.remaining_bytes():
        try:
            session.receive_data(fdp.ConsumeBytes(fdp.ConsumeIntInRange(1, 256)), now)
        except RemoteProtocolError:
            pass
        limits = session.reassembler.limits
        assert len(session.reassembler.partials) <= limits.max_messages
        now += 1.0
    for later in (now + 10, now + 100, now + 10_000):
        session.handle_timer(later)
        while session.next_event() is not None:
            pass
        session.data_to_send()


if __name__ == "__main__":
    _harness.main(test_one_input)
