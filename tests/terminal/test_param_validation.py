"""Parameter values the terminal acts on are checked wherever they come from (issue 18):
a saved file written before the 0x8103 checks (or by hand) must not lock the restarted
terminal out, and a constructor value that would is refused at once."""
from __future__ import annotations

import json
import logging

import pytest

from jt808.errors import LocalProtocolError
from jt808.terminal import Terminal
from jt808.terminal._param_store import ParamStore

PHONE = "13800138000"


def _saved(path, values: dict[int, str]) -> None:
    path.write_text(json.dumps({f"{k:08X}": v for k, v in values.items()}))


def test_a_saved_lockout_value_is_left_out_with_a_warning(tmp_path, caplog):
    """Issue 18: 0x0002 = 0 saved by an older version made every restart re-send at
    once and give up before any reply."""
    path = tmp_path / "params.json"
    _saved(path, {0x0001: "0000001e", 0x0002: "00000000", 0x0003: "ffffffff"})
    with caplog.at_level(logging.WARNING, "jt808.terminal"):
        terminal = Terminal("tcp://127.0.0.1:9", phone=PHONE, params_path=path)
    assert terminal.params.values == {0x0001: 30}
    assert terminal.session.retry.timeout(1) > 0
    warned = " ".join(r.getMessage() for r in caplog.records)
    assert "parameter 0x0002" in warned and "parameter 0x0003" in warned


def test_an_unreadable_file_is_moved_aside_and_the_defaults_apply(tmp_path, caplog):
    path = tmp_path / "params.json"
    path.write_text('{"00000001": "0000')                  # cut by a power loss
    with caplog.at_level(logging.WARNING, "jt808.terminal"):
        store = ParamStore({0x0001: 60}, path)
    assert store.values == {0x0001: 60}
    assert not path.exists() and (tmp_path / "params.json.corrupt").exists()
    assert "cannot be read" in caplog.text


def test_heartbeat_0_is_a_local_choice():
    """0 turns the heartbeat off when the terminal's own configuration says so (a 0x8103
    with 0 is refused: tests/terminal/test_commands_params.py)."""
    assert Terminal("tcp://127.0.0.1:9", phone=PHONE, params={0x0001: 0}).params.get(1) == 0


@pytest.mark.parametrize("values", [{0x0002: 0}, {0x0003: 0xFFFFFFFF},
                                    {0x0013: "bad host"}, {0x0018: 0}])
def test_a_constructor_value_that_would_lock_out_is_refused(values):
    [param_id] = values
    with pytest.raises(LocalProtocolError, match=f"parameter 0x{param_id:04X}") as info:
        Terminal("tcp://127.0.0.1:9", phone=PHONE, params=values)
    assert isinstance(info.value, ValueError)


def test_values_in_range_load_as_saved(tmp_path):
    path = tmp_path / "params.json"
    ParamStore({0x0001: 15, 0x0002: 600, 0x0013: "example.com"}, path)._save()
    assert ParamStore(path=path).values == {0x0001: 15, 0x0002: 600, 0x0013: "example.com"}
