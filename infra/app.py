"""CDK entry point: ``npx cdk synth -c stage=dev|prod`` (default dev).

No side effects at synth: no STS, no git, no AWS credentials needed. cdk-nag's AWS
Solutions pack runs as a CDK validation plugin, so any unacknowledged finding fails synth.
"""

from __future__ import annotations

import sys
from pathlib import Path

# `python infra/app.py` puts infra/ first on sys.path, where infra/constructs would shadow
# the `constructs` library: run from the repository root's point of view instead.
_ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _ROOT / "infra"]
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

from aws_cdk import App, Validations
from cdk_nag import AwsSolutionsChecks

from infra.stack import AnprStack
from infra.stages import stage as stage_config

DEFAULT_STAGE = "dev"


def build(app: App, *, nag: bool = True) -> AnprStack:
    """The stack for the stage named by ``-c stage=...``; tests call this with ``nag=False``
    and run the pack themselves to report findings one by one."""
    stage = stage_config(app.node.try_get_context("stage") or DEFAULT_STAGE)
    stack = AnprStack(app, f"Anpr-{stage.name}", stage=stage)
    if nag:
        Validations.of(app).add_plugins(AwsSolutionsChecks(app, verbose=True))
    return stack


def main() -> None:
    app = App()
    build(app)
    app.synth()


if __name__ == "__main__":
    main()
