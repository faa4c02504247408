"""Lambda layers built without Docker.

Each layer is an asset whose bundling runs *locally* (``ILocalBundling``):
``pip install --platform manylinux2014_x86_64 --only-binary=:all: --python-version 3.11``
into ``<out>/python``, the way powertools builds its own layer in its e2e tests. The Docker
image CDK asks for is a placeholder that is never pulled: ``try_bundle`` always returns True
or raises.

Pip results are cached in ``build/layer-cache/<name>-<hash>`` (git-ignored through
``build/``), keyed by the requirement lines and the pip target, so a second synth copies a
folder instead of resolving wheels. The asset hash is computed by us (requirements + the
files copied in), so CDK skips bundling altogether when ``cdk.out`` already holds the asset.

Lambda python3.11 runs on Amazon Linux 2 (glibc 2.26): manylinux2014 (glibc 2.17) wheels
are the newest that are guaranteed to load there.
"""

from __future__ import annotations

import fnmatch
import hashlib
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import jsii
from anpr.kernel.platform import ROOT
from aws_cdk import AssetHashType, BundlingOptions, DockerImage, ILocalBundling
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

#: bump to invalidate every cached layer (e.g. when the pip invocation changes)
BUNDLER_VERSION = "1"
CACHE_DIR = ROOT / "build" / "layer-cache"
RUNTIME_REQUIREMENTS = ROOT / "requirements" / "runtime.txt"
SHARED_SOURCE = ROOT / "layers" / "shared" / "python"
MODELS_SOURCE = ROOT / "layers" / "models"

PIP_TARGET = (
    "--platform",
    "manylinux2014_x86_64",
    "--only-binary=:all:",
    "--python-version",
    "3.11",
    "--implementation",
    "cp",
)
#: the Lambda python runtime ships these; keeping them out saves ~80 MB of the 250 MB limit
PROVIDED_BY_RUNTIME = ("boto3", "botocore", "s3transfer")
#: the OCR engine's native packages live in their own layer (only the ingest path needs them)
OCR_PACKAGES = frozenset({"tflite-runtime", "numpy"})
#: what never runs in Lambda: command lines, the synthetic-scene renderer (training, simulator),
#: synthetic data generators (tests, benchmarks). In-memory fakes live under tests/fakes/.
SHARED_EXCLUDES = ("*cli.py", "ocr/render/*", "*synthetic.py")
_IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", ".DS_Store")


def requirement_name(line: str) -> str:
    """``aws-lambda-powertools[parser]==3.37.0`` → ``aws-lambda-powertools``."""
    return re.split(r"[\[<>=!~; ]", line.strip(), maxsplit=1)[0].lower().replace("_", "-")


def runtime_requirements() -> list[str]:
    lines = RUNTIME_REQUIREMENTS.read_text().splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith(("#", "-"))]


@dataclass(frozen=True)
class LayerRecipe:
    """What goes into one layer: pip requirements and files copied under the layer root."""

    name: str
    description: str
    requirements: tuple[str, ...] = ()
    #: (source dir, destination under the layer root, glob of files to copy)
    copies: tuple[tuple[Path, str, str], ...] = ()
    #: paths (relative to a copy's source, fnmatch patterns) that never go into the layer
    excludes: tuple[str, ...] = ()

    def files(self, source: Path, pattern: str) -> list[Path]:
        """The files one copy takes: the glob, less caches and the recipe's exclusions."""
        return sorted(
            p
            for p in source.glob(pattern)
            if p.is_file()
            and not _ignored(p)
            and not any(fnmatch.fnmatch(p.relative_to(source).as_posix(), x) for x in self.excludes)
        )

    def requirements_hash(self) -> str:
        payload = "\n".join([BUNDLER_VERSION, *PIP_TARGET, *PROVIDED_BY_RUNTIME, *self.requirements])
        return hashlib.sha256(payload.encode()).hexdigest()[:16]

    def content_hash(self) -> str:
        """Requirements + every copied file: the asset hash CDK deploys by."""
        digest = hashlib.sha256(self.requirements_hash().encode())
        for source, dest, pattern in self.copies:
            for path in self.files(source, pattern):
                digest.update(f"{dest}/{path.relative_to(source)}".encode())
                digest.update(path.read_bytes())
        return digest.hexdigest()


def _ignored(path: Path) -> bool:
    return any(part == "__pycache__" or part.endswith(".egg-info") for part in path.parts) or (
        path.suffix == ".pyc"
    )


def recipes() -> dict[str, LayerRecipe]:
    """The layers a FunctionSpec may name, derived from requirements/runtime.txt."""
    reqs = runtime_requirements()
    return {
        "shared": LayerRecipe(
            name="shared",
            description="anpr package + runtime dependencies (powertools, pynamodb, pydantic, pillow)",
            requirements=tuple(r for r in reqs if requirement_name(r) not in OCR_PACKAGES),
            copies=((SHARED_SOURCE / "anpr", "python/anpr", "**/*"),),
            excludes=SHARED_EXCLUDES,
        ),
        "ocr": LayerRecipe(
            name="ocr",
            description="OCR engine native dependencies (tflite-runtime, numpy)",
            requirements=tuple(r for r in reqs if requirement_name(r) in OCR_PACKAGES),
        ),
        "models": LayerRecipe(
            name="models",
            description="TFLite models, mounted at /opt/models",
            copies=((MODELS_SOURCE, "models", "*.tflite"),),
        ),
    }


@jsii.implements(ILocalBundling)
class PipLayerBundler:
    """Builds a layer into CDK's output directory with the local pip (no Docker)."""

    def __init__(self, recipe: LayerRecipe, python: str = sys.executable) -> None:
        self._recipe = recipe
        self._python = python

    def try_bundle(self, output_dir: str, *, image: DockerImage | None = None, **_: object) -> bool:
        out = Path(output_dir)
        if self._recipe.requirements:
            shutil.copytree(self._pip_installed(), out / "python", dirs_exist_ok=True)
        for source, dest, pattern in self._recipe.copies:
            target = out / dest
            target.mkdir(parents=True, exist_ok=True)
            files = self._recipe.files(source, pattern)
            if not files:
                # synth goes on (CI, reviews), but a deploy would ship an empty layer
                print(
                    f"WARNING layer {self._recipe.name!r}: no {source}/{pattern} to package", file=sys.stderr
                )
            for path in files:
                (target / path.relative_to(source)).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target / path.relative_to(source))
        return True

    def _pip_installed(self) -> Path:
        cached = CACHE_DIR / f"{self._recipe.name}-{self._recipe.requirements_hash()}"
        if cached.is_dir():
            return cached
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=CACHE_DIR) as tmp:
            staging = Path(tmp) / "python"
            cmd = [
                self._python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                "--no-compile", *PIP_TARGET, "--target", str(staging), *self._recipe.requirements,
            ]  # fmt: skip
            try:
                subprocess.run(cmd, check=True, capture_output=True, text=True)
            except subprocess.CalledProcessError as exc:
                raise RuntimeError(
                    f"layer {self._recipe.name!r}: pip install failed (needs PyPI on the first synth; "
                    f"later synths reuse {CACHE_DIR})\n{exc.stderr}"
                ) from exc
            for provided in PROVIDED_BY_RUNTIME:
                for path in staging.glob(f"{provided}*"):
                    shutil.rmtree(path) if path.is_dir() else path.unlink()
            # atomic publish: a concurrent synth either sees the whole folder or none
            try:
                staging.rename(cached)
            except OSError:
                if not cached.is_dir():
                    raise
        return cached


def python_layer(scope: Construct, construct_id: str, recipe: LayerRecipe) -> lambda_.LayerVersion:
    """A python3.11/x86_64 layer built by :class:`PipLayerBundler`."""
    source = next((src for src, _, _ in recipe.copies if src.is_dir()), RUNTIME_REQUIREMENTS.parent)
    code = lambda_.Code.from_asset(
        str(source),
        asset_hash_type=AssetHashType.CUSTOM,
        asset_hash=recipe.content_hash(),
        bundling=BundlingOptions(
            # never pulled: PipLayerBundler always bundles locally
            image=DockerImage.from_registry("public.ecr.aws/sam/build-python3.11"),
            local=PipLayerBundler(recipe),
        ),
    )
    return lambda_.LayerVersion(
        scope,
        construct_id,
        code=code,
        description=recipe.description,
        compatible_runtimes=[lambda_.Runtime.PYTHON_3_11],
        compatible_architectures=[lambda_.Architecture.X86_64],
    )
