"""The sweep tests' Dask cluster: started once per module that asks for it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """A local cluster of 2 workers as threads of this process (quick to start)."""
    from diffusion.sweeps.execute import dask_client

    with dask_client(workers=2, processes=False) as c:
        yield c
