"""Every ``python`` code block in the getting-started pages and the README runs as written."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PAGES = [REPO / "docs" / name for name in ("getting-started.md", "transports.md", "extensions.md")]
PAGES.append(REPO / "README.md")
FENCE = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def _blocks():
    for page in PAGES:
        for number, match in enumerate(FENCE.finditer(page.read_text(encoding="utf-8")), 1):
            yield pytest.param(match.group(1), id=f"{page.name}-block{number}")


@pytest.mark.parametrize("code", list(_blocks()))
def test_code_block_runs(code, tmp_path):
    """Each block in a fresh interpreter (registrations do not leak), in an empty
    directory, bounded in time (a block that never ends fails instead of hanging)."""
    script = tmp_path / "block.py"
    script.write_text(code, encoding="utf-8")
    run = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-3000:]


def test_pages_have_code_blocks():
    assert len(list(_blocks())) >= 4
