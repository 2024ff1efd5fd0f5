"""FrameQueue: a slow link drops P-frames before I-frames, memory stays bounded."""
from __future__ import annotations

from hypothesis import given, strategies as st

from jt808.jt1078 import DataType, FrameQueue, QueuedFrame

I, P, A = DataType.I_FRAME, DataType.P_FRAME, DataType.AUDIO


def _f(kind, size, ts=0):
    return QueuedFrame(1, kind, bytes(size), ts)


def test_frames_fit_and_come_out_in_order():
    q = FrameQueue(1000)
    for ts, kind in enumerate([I, P, A, P]):
        assert q.put(_f(kind, 100, ts))
    assert [q.pop().timestamp for _ in range(4)] == [0, 1, 2, 3] and q.pop() is None


def test_a_full_queue_drops_the_p_frame_and_those_after_it_until_an_i_frame():
    q = FrameQueue(1000)
    q.put(_f(I, 900))
    assert not q.put(_f(P, 200))
    q.pop()
    assert not q.put(_f(P, 10))             # room now, but undecodable without the lost one
    assert q.put(_f(A, 10))                 # audio does not depend on video
    assert q.put(_f(I, 500)) and q.put(_f(P, 10))
    assert q.stats.dropped_frames == 2 and q.stats.dropped_i_frames == 0


def test_an_i_frame_evicts_queued_p_frames_first():
    q = FrameQueue(1000)
    q.put(_f(I, 400, 0))
    q.put(_f(P, 300, 1))
    q.put(_f(P, 200, 2))
    assert q.put(_f(I, 500, 3))
    assert [q.pop().timestamp for _ in range(len(q))] == [0, 3]


def test_an_i_frame_bigger_than_everything_evicts_everything_and_is_kept():
    q = FrameQueue(1000)
    q.put(_f(I, 600, 0))
    assert q.put(_f(I, 900, 1))
    assert [q.pop().timestamp for _ in range(len(q))] == [1]
    assert q.stats.dropped_i_frames == 1


@given(st.lists(st.tuples(st.sampled_from([I, P, A]), st.integers(0, 3000),
                          st.booleans()), max_size=200))
def test_memory_never_passes_max_plus_one_frame(ops):
    q = FrameQueue(4000)
    for kind, size, pop in ops:
        q.put(_f(kind, size))
        assert q.queued_bytes <= 4000 + 3000
        assert q.queued_bytes == sum(len(f.payload) for f in q._frames)
        if pop:
            q.pop()
