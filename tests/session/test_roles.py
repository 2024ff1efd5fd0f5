"""The role tables (STYLE §2): states are an enum equal to their strings, and every
state change is a row of ``Role.transitions`` (request id, answer id, result)."""
from __future__ import annotations

import pytest

from jt808.codec import (PlatformGeneralResponse, TerminalRegister, TerminalRegisterResponse,
                         encode_body)
from jt808.frame import Frame, Header, pack
from jt808.session import (AUTHENTICATED, CONNECTED, PLATFORM, REGISTERED, TERMINAL,
                           PlatformSession, State, TerminalSession)


def test_states_compare_and_hash_as_their_strings():
    assert CONNECTED == "connected" and {"connected": 1}[CONNECTED] == 1
    assert f"{AUTHENTICATED}" == "authenticated" and State("registered") is REGISTERED


@pytest.mark.parametrize("role, request_id, answer, result, state", [
    (TERMINAL, 0x0100, 0x8100, 0, REGISTERED), (TERMINAL, 0x0102, 0x8001, 0, AUTHENTICATED),
    (TERMINAL, 0x0003, 0x8001, 0, CONNECTED), (PLATFORM, 0x0100, 0x8100, 0, REGISTERED),
    (PLATFORM, 0x0102, 0x8001, 0, AUTHENTICATED),
    (TERMINAL, 0x0100, 0x8100, 1, None), (TERMINAL, 0x0102, 0x8001, 3, None),
    (TERMINAL, 0x0100, 0x8001, 0, None),   # a general reply to 0x0100 carries no code
    (PLATFORM, 0x0003, 0x8001, 0, None),
])
def test_transitions(role, request_id, answer, result, state):
    assert role.next_state(request_id, answer, result) == state


def test_a_general_reply_to_register_does_not_register():
    terminal = TerminalSession("013800138000")
    serial = terminal.send(TerminalRegister(1, 2, "M", "T", "I", 1, "A1"), 0)
    reply = PlatformGeneralResponse(serial, 0x0100, 0)
    terminal.receive_data(pack(Frame(Header(0x8001, "013800138000", 5), encode_body(reply))), 0)
    assert terminal.state == CONNECTED and terminal.auth_code is None


def test_platform_state_follows_what_it_sends():
    platform = PlatformSession(version=None)
    platform.phone = "013800138000"
    platform.send(TerminalRegisterResponse(0, 0, "CODE"), 0)
    assert platform.state == REGISTERED
    platform.send(PlatformGeneralResponse(1, 0x0102, 0), 0)
    assert platform.state == AUTHENTICATED
