"""Layers are built by a local pip (no Docker) and cached by requirements hash."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from infra import bundling
from infra.bundling import OCR_PACKAGES, LayerRecipe, PipLayerBundler, recipes, requirement_name


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("aws-lambda-powertools[parser,tracer]==3.37.0", "aws-lambda-powertools"),
        ("numpy<2", "numpy"),
        ("tflite_runtime==2.14.0", "tflite-runtime"),
        ("pydantic-settings==2.*", "pydantic-settings"),
    ],
)
def test_requirement_name(line, name):
    assert requirement_name(line) == name


def test_shared_and_ocr_layers_split_runtime_requirements():
    # GIVEN requirements/runtime.txt WHEN the recipes are derived
    shared, ocr = recipes()["shared"], recipes()["ocr"]
    # THEN the native OCR packages are only in the ocr layer, everything else in shared
    assert {requirement_name(r) for r in ocr.requirements} == OCR_PACKAGES
    assert not {requirement_name(r) for r in shared.requirements} & OCR_PACKAGES
    assert {requirement_name(r) for r in shared.requirements} >= {
        "aws-lambda-powertools",
        "pynamodb",
        "pydantic",
    }


@pytest.fixture
def fake_pip(monkeypatch, tmp_path):
    """A pip that 'installs' one module per requirement and a botocore the runtime provides."""
    calls: list[list[str]] = []

    def run(cmd, **_):
        calls.append(cmd)
        target = Path(cmd[cmd.index("--target") + 1])
        target.mkdir(parents=True)
        (target / "fakepkg.py").write_text("x = 1\n")
        (target / "botocore").mkdir()
        return subprocess.CompletedProcess(cmd, 0)

    monkeypatch.setattr(bundling, "CACHE_DIR", tmp_path / "cache")
    monkeypatch.setattr(bundling.subprocess, "run", run)
    return calls


def _recipe(tmp_path: Path) -> LayerRecipe:
    src = tmp_path / "src" / "anpr"
    (src / "__pycache__").mkdir(parents=True)
    (src / "__init__.py").write_text("")
    (src / "__pycache__" / "x.pyc").write_bytes(b"0")
    return LayerRecipe("t", "test", requirements=("fakepkg==1",), copies=((src, "python/anpr", "**/*"),))


def test_bundler_installs_for_lambda_and_copies_the_package(fake_pip, tmp_path):
    # GIVEN a recipe and no cache WHEN the layer is bundled
    out = tmp_path / "out"
    assert PipLayerBundler(_recipe(tmp_path)).try_bundle(str(out)) is True
    # THEN pip targeted manylinux2014 / cp311 binaries, and the layer holds python/...
    (cmd,) = fake_pip
    assert {"--only-binary=:all:", "manylinux2014_x86_64", "3.11"} <= set(cmd)
    assert (out / "python" / "fakepkg.py").is_file()
    assert (out / "python" / "anpr" / "__init__.py").is_file()
    # AND neither bytecode nor what the Lambda runtime already ships
    assert not (out / "python" / "anpr" / "__pycache__").exists()
    assert not (out / "python" / "botocore").exists()


def test_second_bundle_reuses_the_cache(fake_pip, tmp_path):
    recipe = _recipe(tmp_path)
    PipLayerBundler(recipe).try_bundle(str(tmp_path / "out1"))
    PipLayerBundler(recipe).try_bundle(str(tmp_path / "out2"))
    assert len(fake_pip) == 1
    assert (tmp_path / "out2" / "python" / "fakepkg.py").is_file()


def test_asset_hash_follows_requirements_and_package_content(tmp_path):
    recipe = _recipe(tmp_path)
    before = recipe.content_hash()
    (tmp_path / "src" / "anpr" / "__init__.py").write_text("VERSION = 2\n")
    assert recipe.content_hash() != before
    bumped = LayerRecipe("t", "test", requirements=("fakepkg==2",), copies=recipe.copies)
    assert bumped.requirements_hash() != recipe.requirements_hash()
