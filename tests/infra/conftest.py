"""Synthesize the stack once per session (bundling skipped) and share the template.

Every test module here is in xdist group "infra", so ``make test`` (``--dist loadgroup``)
synthesizes once per run instead of once per worker.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.infra.synthesis import Synth, synthesize


@pytest.fixture(scope="session")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    return synthesize(tmp_path_factory, "dev")


@pytest.fixture(scope="session")
def prod(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    return synthesize(tmp_path_factory, "prod")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.xdist_group("infra"))
