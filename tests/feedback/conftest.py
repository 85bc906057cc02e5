"""Shared fixtures: the packaged catalogue and default thresholds."""

from __future__ import annotations

import pytest

from analyzer.feedback import Catalogue, Thresholds, load_catalogue, load_thresholds


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture(scope="session")
def thresholds() -> Thresholds:
    return load_thresholds()
