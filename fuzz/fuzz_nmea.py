"""atheris: ``hal.gnss.NmeaParser.feed`` raises only ``HalError``; its buffer stays bounded."""
import _harness
import atheris

with atheris.instrument_imports(include=["hal"]):
    from hal.errors import HalError
    from hal.gnss import NmeaParser


def test_one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    parser = NmeaParser()
    while fdp.remaining_bytes():
        try:
            parser.feed(fdp.ConsumeBytes(fdp.ConsumeIntInRange(1, 128)))
        except HalError:
            pass
        assert len(parser._buffer) <= parser.max_line


if __name__ == "__main__":
    _harness.main(test_one_input)
