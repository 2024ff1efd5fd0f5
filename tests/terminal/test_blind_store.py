"""BlindAreaStore: FIFO order, bound, durability across SIGKILL, one writer, typed errors."""
from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from jt808.errors import JT808Error
from jt808.terminal._blind_store import (BlindAreaStore, BlindStoreError, MemoryBlindStore,
                                        StoredItem)

REPO = Path(__file__).resolve().parents[2]


def body(i: int) -> bytes:
    """A recognisable, self-checking body for item number ``i``."""
    return i.to_bytes(4, "big") * 8


def test_append_oldest_delete_count(tmp_path: Path) -> None:
    with BlindAreaStore(tmp_path / "blind.db") as store:
        ids = [store.append("alarm" if i % 3 == 0 else "position", body(i), now=1000.0 + i)
               for i in range(10)]
        assert ids == sorted(ids) and len(set(ids)) == 10
        assert store.count() == 10 and store.count("alarm") == 4
        first = store.oldest(3)
        assert first == [StoredItem(ids[0], "alarm", body(0)),
                         StoredItem(ids[1], "position", body(1)),
                         StoredItem(ids[2], "position", body(2))]
        item_id, kind, data = first[0]                     # plain (id, kind, body) tuples
        assert (item_id, kind, data) == (ids[0], "alarm", body(0))
        assert [i.id for i in store.oldest(10, kind="alarm")] == [ids[0], ids[3], ids[6], ids[9]]
        assert store.delete([ids[0], ids[1], 999_999]) == 2
        assert store.oldest(1)[0].id == ids[2]
        assert store.count() == 8
        assert store.oldest(0) == [] and store.delete([]) == 0


def test_pragmas_wal_and_full_sync(tmp_path: Path) -> None:
    with BlindAreaStore(tmp_path / "blind.db") as store:
        assert store._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store._db.execute("PRAGMA synchronous").fetchone()[0] == 2    # FULL


def test_bound_thins_positions_and_counts(tmp_path: Path) -> None:
    """Issue 18: over the row bound, positions are thinned (every second of the older
    half goes) rather than the oldest cut; what went is counted and persists."""
    path = tmp_path / "blind.db"
    with BlindAreaStore(path, max_rows=8) as store:
        ids = [store.append("position", body(i), now=float(i)) for i in range(9)]
        # 9 rows > 8: the older half (0..3) loses every second one (1 and 3)
        assert [i.id for i in store.oldest(10)] == [ids[0], ids[2], *ids[4:]]
        assert store.count() == 7 and store.dropped == 2 and store.thinned == 2
    with BlindAreaStore(path, max_rows=8) as store:
        assert store.dropped == 2 and store.thinned == 2      # the counters persist
    with BlindAreaStore(path, max_rows=2) as store:          # a smaller bound applies on append
        store.append("position", body(9), now=9.0)
        assert store.count() == 2 and store.dropped == 8


@pytest.mark.parametrize("make", ["sqlite", "memory"])
def test_bound_never_evicts_alarms(tmp_path: Path, make: str) -> None:
    """Issue 18: many positions after an emergency alarm do not push the alarm out, and
    the positions kept still span the whole time (first to last)."""
    store = (BlindAreaStore(tmp_path / "blind.db", max_rows=50) if make == "sqlite"
             else MemoryBlindStore(max_rows=50))
    with contextlib.closing(store):
        alarm = store.append("alarm", b"SOS", now=0.0)
        for start in range(0, 1_000, 10):                   # bursts of ten
            store.append_many(("position", body(i), float(i + 1))
                              for i in range(start, start + 10))
        assert [i.id for i in store.oldest(1, "alarm")] == [alarm]
        assert store.count() <= 50 and store.thinned == store.dropped == 1_001 - store.count()
        kept = [int.from_bytes(i.body[:4], "big") for i in store.oldest(100, "position")]
        assert kept[0] == 0 and kept[-1] == 999              # the whole span is still there


def test_append_many_is_one_transaction_in_order(tmp_path: Path) -> None:
    with BlindAreaStore(tmp_path / "blind.db") as store:
        ids = store.append_many([("position", body(i), float(i)) for i in range(5)])
        assert ids == sorted(ids) and [i.body for i in store.oldest(9)] == [body(i) for i in range(5)]


def test_drop_older_than(tmp_path: Path) -> None:
    with BlindAreaStore(tmp_path / "blind.db") as store:
        for i in range(6):
            store.append("position", body(i), now=100.0 + i)
        assert store.drop_older_than(103.0) == 3
        assert [item.body for item in store.oldest(10)] == [body(3), body(4), body(5)]
        assert store.dropped == 3


def test_order_kept_and_ids_not_reused_after_reopen(tmp_path: Path) -> None:
    path = tmp_path / "blind.db"
    with BlindAreaStore(path) as store:
        ids = [store.append("position", body(i), now=0.0) for i in range(3)]
        store.delete(ids[1:])                                # even the newest is gone
    with BlindAreaStore(path) as store:
        new = store.append("position", body(3), now=0.0)
        assert new > ids[-1]
        assert [i.body for i in store.oldest(10)] == [body(0), body(3)]


def test_second_opener_is_refused_until_close(tmp_path: Path) -> None:
    path = tmp_path / "blind.db"
    first = BlindAreaStore(path)
    with pytest.raises(BlindStoreError, match="already open"):
        BlindAreaStore(path)
    script = f"from jt808.terminal._blind_store import BlindAreaStore\nBlindAreaStore({str(path)!r})"
    other = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True,
                           text=True, timeout=60)
    assert other.returncode != 0 and "already open" in other.stderr
    first.close()
    first.close()                                            # idempotent
    with BlindAreaStore(path) as again:
        assert again.count() == 0


def test_closed_store_raises_typed_error(tmp_path: Path) -> None:
    store = BlindAreaStore(tmp_path / "blind.db")
    store.close()
    with pytest.raises(BlindStoreError, match="closed"):
        store.append("position", b"x", now=0.0)


def test_not_a_database_raises_typed_error(tmp_path: Path) -> None:
    path = tmp_path / "blind.db"
    path.write_bytes(b"this is not an sqlite file at all" * 100)
    with pytest.raises(BlindStoreError, match="cannot open") as info:
        BlindAreaStore(path)
    assert isinstance(info.value, JT808Error)
    assert isinstance(info.value.__cause__, sqlite3.DatabaseError)
    path.unlink()
    with BlindAreaStore(path):                               # the lock was released
        pass


def test_disk_full_raises_typed_error_and_store_stays_usable(tmp_path: Path) -> None:
    with BlindAreaStore(tmp_path / "blind.db") as store:
        pages = store._db.execute("PRAGMA page_count").fetchone()[0]
        store._db.execute(f"PRAGMA max_page_count = {pages + 8}")   # a tiny "disk"
        stored = []
        with pytest.raises(BlindStoreError, match="full") as info:
            for i in range(1000):
                stored.append(store.append("position", os.urandom(1500), now=float(i)))
        assert isinstance(info.value.__cause__, sqlite3.OperationalError)
        assert store.count() == len(stored)                 # the failed append left nothing
        store.delete(stored[:4])
        store.append("alarm", b"after-full", now=0.0)       # space freed: appends work again
        assert store.oldest(1, kind="alarm")[0].body == b"after-full"


def test_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        BlindAreaStore(tmp_path / "blind.db", max_rows=0)
    with BlindAreaStore(tmp_path / "blind.db") as store, pytest.raises(ValueError):
        store.oldest(-1)


WRITER = textwrap.dedent("""
    import sys
    from jt808.terminal._blind_store import BlindAreaStore
    store = BlindAreaStore(sys.argv[1], max_rows=10**6)
    i = int(sys.argv[2])
    while True:
        item_id = store.append("alarm" if i % 5 == 0 else "position",
                               i.to_bytes(4, "big") * 8, now=float(i))
        print(item_id, i, flush=True)
        i += 1
""")


def kill_writer_after(path: Path, start: int, lines: int) -> dict[int, int]:
    """Run WRITER, SIGKILL it after ``lines`` acknowledged appends; return {id: i}."""
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(start)], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    acknowledged = {}
    try:
        for _ in range(lines):
            line = proc.stdout.readline()
            assert line, proc.stderr.read()
            item_id, i = map(int, line.split())
            acknowledged[item_id] = i
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    return acknowledged


def test_sigkill_mid_stream_keeps_every_committed_item_once_in_order(tmp_path: Path) -> None:
    path = tmp_path / "blind.db"
    acknowledged = kill_writer_after(path, 0, 300)
    with BlindAreaStore(path) as store:
        assert store._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        items = store.oldest(10**6)
        ids = [item.id for item in items]
        assert ids == sorted(set(ids))                       # each once, in order
        assert set(acknowledged) <= set(ids)                 # nothing acknowledged is lost
        for n, item in enumerate(items):                     # no torn or reordered rows
            assert item.body == n.to_bytes(4, "big") * 8
            assert item.kind == ("alarm" if n % 5 == 0 else "position")
        store.delete(ids[:100])                              # the platform acked a batch
        survivors = store.count()
    more = kill_writer_after(path, len(items), 100)          # a second crash after reopen
    with BlindAreaStore(path) as store:
        items = store.oldest(10**6)
        assert [i.id for i in items] == sorted({i.id for i in items})
        assert min(more) > max(ids)                          # new items come after old ones
        assert set(more) <= {i.id for i in items}
        assert store.count() >= survivors + 100
        numbers = [int.from_bytes(i.body[:4], "big") for i in items]
        assert numbers == list(range(100, 100 + len(items)))
