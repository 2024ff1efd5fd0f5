"""Platform tests run on asyncio only (the sockets are real, on 127.0.0.1)."""
import pytest


@pytest.fixture
def anyio_backend():
    return "asyncio"
