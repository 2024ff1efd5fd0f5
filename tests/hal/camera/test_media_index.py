"""hal.camera.MediaIndex: a real sqlite file, filters, bounds."""
from __future__ import annotations

from hal.camera import MediaIndex, MediaItem


def item(n: int, **changes) -> MediaItem:
    fields = dict(media_id=n, media_type=0, media_format=0, channel=1, event=0,
                  time=1000.0 + n, location="", data=bytes([n]) * 10)
    fields.update(changes)
    return MediaItem(**fields)


def test_filters_and_persistence(tmp_path):
    index = MediaIndex(tmp_path / "m.sqlite")
    index.add(item(1))
    index.add(item(2, channel=2))
    index.add(item(3, media_type=1, event=1))
    assert [i.media_id for i in index.search()] == [1, 2, 3]
    assert [i.media_id for i in index.search(0, 2)] == [2]
    assert [i.media_id for i in index.search(event=1)] == [3]
    assert [i.media_id for i in index.search(start=1001.5, end=1002.5)] == [2]
    assert index.search()[0].data == b"" and index.get(1).data == bytes([1]) * 10
    index.delete([1])
    index.close()
    assert [i.media_id for i in MediaIndex(tmp_path / "m.sqlite").search()] == [2, 3]


def test_oldest_go_past_the_bounds():
    index = MediaIndex(None, max_items=3, max_bytes=25)
    for n in range(1, 6):
        index.add(item(n))
    assert [i.media_id for i in index.search()] == [4, 5]            # 2 x 10 bytes <= 25
