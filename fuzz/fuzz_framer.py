"""atheris: ``jt808.frame.Framer().feed_events`` never raises, whatever the chunking."""
import _harness
import atheris

with atheris.instrument_imports(include=["jt808"]):
    from jt808.frame import MAX_ESCAPED_FRAME, Framer


def test_one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    framer = Framer()
    while fdp.remaining_bytes():
        framer.feed_events(fdp.ConsumeBytes(fdp.ConsumeIntInRange(1, 64)))
        assert framer.buffered <= MAX_ESCAPED_FRAME


if __name__ == "__main__":
    _harness.main(test_one_input)
