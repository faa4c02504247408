"""Per-stage settings, shared by the CDK app and the local runtime (pure Python)."""

from __future__ import annotations

from dataclasses import dataclass


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
