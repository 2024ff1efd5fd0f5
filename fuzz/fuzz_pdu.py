"""atheris: ``hal.quectel.decode_deliver`` / ``decode_submit`` raise only ``HalError``."""
import _harness
import atheris

with atheris.instrument_imports(include=["hal"]):
    from hal.errors import HalError
    from hal.quectel import decode_deliver, decode_submit


def test_one_input(data: bytes) -> None:
    for decode in (decode_deliver, decode_submit):
        try:
            decode(data)
        except HalError:
            pass


if __name__ == "__main__":
    _harness.main(test_one_input)
