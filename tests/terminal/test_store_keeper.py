"""StoreKeeper: the blind-area store in a worker thread, bursts written together, a
failing store replaced (issue 14: batched writes, same no-loss guarantee; issue 18)."""
from __future__ import annotations

import anyio
import pytest

from jt808.terminal import BlindAreaStore, BlindStoreError, MemoryBlindStore
from jt808.terminal._store_keeper import StoreKeeper

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class CountingStore(BlindAreaStore):
    transactions = 0

    def append_many(self, items):
        self.transactions += 1
        return super().append_many(items)


async def test_a_burst_of_appends_is_written_in_few_transactions(tmp_path):
    keeper = StoreKeeper(CountingStore(tmp_path / "blind.sqlite"))
    ids: list[int] = []

    async def one(n: int) -> None:
        ids.append(await keeper.append("position", bytes([n]), float(n)))
    async with anyio.create_task_group() as tg:
        for n in range(50):
            tg.start_soon(one, n)
    assert len(set(ids)) == 50
    assert keeper.store.transactions < 50             # group commit
    keeper.close()
    with BlindAreaStore(tmp_path / "blind.sqlite") as again:   # all durable
        assert again.count("position") == 50


class BrokenStore(MemoryBlindStore):
    def append_many(self, items):
        raise BlindStoreError("append failed: disk I/O error")


async def test_a_store_that_keeps_failing_ends_in_memory_and_the_append_lands():
    keeper = StoreKeeper(BrokenStore())
    row = await keeper.append("alarm", b"SOS", 1.0)
    assert type(keeper.store) is MemoryBlindStore and keeper.degraded
    assert [i.id for i in await keeper.oldest(5, "alarm")] == [row]
