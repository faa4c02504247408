"""The shared layer carries runtime code only: no command line, renderer, synthetic data or fake."""

from __future__ import annotations

import dataclasses
import re

from infra.bundling import PipLayerBundler, recipes


def test_the_shared_layer_holds_no_cli_renderer_synthetic_data_or_fake(tmp_path):
    # GIVEN the shared layer's recipe (its files only; pip is not needed to check them)
    recipe = dataclasses.replace(recipes()["shared"], requirements=())
    # WHEN it is bundled
    PipLayerBundler(recipe).try_bundle(str(tmp_path))
    files = [p.relative_to(tmp_path / "python").as_posix() for p in (tmp_path / "python").rglob("*.py")]
    # THEN the runtime is there and nothing that never runs in Lambda
    assert "anpr/ingest/service.py" in files and "anpr/ocr/tflite_engine.py" in files
    assert not [f for f in files if f.endswith("cli.py")]
    assert not [f for f in files if "/render/" in f or f.endswith("synthetic.py")]
    fakes = [
        f for f in files if re.search(r"^class InMemory", (tmp_path / "python" / f).read_text(), re.MULTILINE)
    ]
    assert fakes == []


def test_every_layer_module_imports_without_the_excluded_ones(tmp_path):
    # GIVEN the bundled layer alone on sys.path (a fresh interpreter)
    import subprocess
    import sys

    recipe = dataclasses.replace(recipes()["shared"], requirements=())
    PipLayerBundler(recipe).try_bundle(str(tmp_path))
    root = tmp_path / "python"
    modules = sorted(
        p.relative_to(root).with_suffix("").as_posix().replace("/", ".").removesuffix(".__init__")
        for p in root.rglob("*.py")
    )
    # WHEN every module is imported THEN none needs a file the recipe left out
    code = "import importlib, sys\nfor m in sys.argv[1:]:\n    importlib.import_module(m)\n"
    env_path = f"{root}"
    out = subprocess.run(
        [
            sys.executable,
            "-I",
            "-c",
            f"import sys; sys.path.insert(0, {env_path!r}); exec({code!r})",
            *modules,
        ],
        check=False,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr[-2000:]
