"""Per-stage settings, shared by the CDK app and the local runtime (pure Python)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from anpr.kernel.spec import FunctionSpec, Use

#: CloudWatch namespace of every function's metrics
METRICS_NAMESPACE = "ANPR"


@dataclass(frozen=True)
class Stage:
    name: str
    #: legal window for ANPR reads (Belgium: at most 12 months); snapshots expire with them
    retention_days: int = 365
    #: searches reaching reads older than this need a prosecutor's decision
    admin_window_days: int = 30
    log_retention_days: int = 30
    #: "destroy" for throw-away stages, "retain" where data must survive a stack delete
    removal_policy: str = "destroy"
    region: str = "eu-west-1"


STAGES: dict[str, Stage] = {
    "local": Stage(name="local"),
    "dev": Stage(name="dev", log_retention_days=14),
    "prod": Stage(name="prod", log_retention_days=365, removal_policy="retain"),
}


def stage(name: str) -> Stage:
    try:
        return STAGES[name]
    except KeyError:
        raise ValueError(f"unknown stage {name!r}; expected one of {sorted(STAGES)}") from None


def function_env(
    fn: FunctionSpec, stage: Stage, value_of: Callable[[Use], str] | None = None
) -> dict[str, str]:
    """A function's environment, in one place for the CDK factory and the local runtime:
    the stage settings, powertools' names and (given ``value_of``) one variable per resource the
    function uses (``ANPR_TABLE_READS``...: its physical name, URL or ARN)."""
    env = {
        "ANPR_STAGE": stage.name,
        "ANPR_RETENTION_DAYS": str(stage.retention_days),
        "ANPR_ADMIN_WINDOW_DAYS": str(stage.admin_window_days),
        "POWERTOOLS_SERVICE_NAME": fn.service or fn.id.lower(),
        "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
    }
    if value_of is not None:
        env.update({use.env_var: value_of(use) for use in fn.uses})
    return env
