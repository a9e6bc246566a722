"""The sweep tests' Dask cluster: started once per module that asks for it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """A local cluster of 2 workers as threads of this process (quick to start)."""
    from diffusion.executors import Executor

    with Executor(2).client(processes=False) as c:
        yield c
