"""Fixtures for the pure planner tests (no database)."""

from __future__ import annotations

import pytest

from clinical.catalogue import CatalogueItem

from .builders import load_catalogue


@pytest.fixture(scope="session")
def catalogue() -> tuple[CatalogueItem, ...]:
    return load_catalogue()


@pytest.fixture(scope="session")
def catalogue_by_key(catalogue) -> dict[str, CatalogueItem]:
    return {item.key: item for item in catalogue}
