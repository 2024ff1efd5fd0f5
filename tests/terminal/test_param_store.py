"""The parameter file is written off the event loop (issue 14) and still round-trips."""
from __future__ import annotations

import threading

import anyio

from jt808.codec import TerminalParam
from jt808.terminal._param_store import ParamStore


def test_update_off_loop_writes_in_a_worker_thread(tmp_path, monkeypatch):
    store = ParamStore({0x0001: 30}, tmp_path / "params.json")
    writers: list[threading.Thread] = []
    write = ParamStore._write

    def recording_write(self, text):
        writers.append(threading.current_thread())
        write(self, text)

    monkeypatch.setattr(ParamStore, "_write", recording_write)

    async def main():
        return await store.update_off_loop([TerminalParam(0x0001, 15)])

    assert anyio.run(main) == {0x0001: 15}
    assert writers and writers[0] is not threading.main_thread()
    assert ParamStore(path=tmp_path / "params.json").values[0x0001] == 15


def test_update_off_loop_without_a_path_writes_nothing(tmp_path):
    store = ParamStore({0x0001: 30})

    async def main():
        return await store.update_off_loop([TerminalParam(0x0001, 15)])

    assert anyio.run(main) == {0x0001: 15} and store.values[0x0001] == 15
    assert list(tmp_path.iterdir()) == []
