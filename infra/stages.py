"""Per-stage settings, shared by the CDK app and the local runtime (pure Python)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from anpr.kernel.spec import FunctionSpec, Use

#: CloudWatch namespace of every function's metrics
METRICS_NAMESPACE = "ANPR"


#: Belgian law: ANPR reads are kept at most 12 months, backups included
LEGAL_LIMIT_DAYS = 365
#: DynamoDB TTL deletes expired items "within a few days" (typically 48 h): counted against the limit
TTL_LAG_DAYS = 2


@dataclass(frozen=True)
class Stage:
    name: str
    #: legal window for ANPR reads; snapshots expire with them. retention + TTL lag + PITR window
    #: must fit in LEGAL_LIMIT_DAYS: a read restored from a backup is still a read (docs/networks.md)
    retention_days: int = LEGAL_LIMIT_DAYS - TTL_LAG_DAYS - 7
    #: DynamoDB point-in-time recovery window (1..35 days)
    pitr_days: int = 7
    #: searches reaching reads older than this need a prosecutor's decision
    admin_window_days: int = 30
    log_retention_days: int = 30
    #: "destroy" for throw-away stages, "retain" where data must survive a stack delete
    removal_policy: str = "destroy"
    region: str = "eu-west-1"
    #: who gets the alarms (SNS email subscription); None: no subscription (local only)
    alarm_email: str | None = None
    #: a capture older than this raises no live alert (a late hit). The local stage replays the
    #: simulator's last two hours of traffic in a minute, so its captures are up to ~2 h old when
    #: uploaded: its limit covers that window; deployed stages keep the 15-minute rule.
    alert_max_age_minutes: int = 15
    #: S3 Object Lock mode of the audit archive: COMPLIANCE nobody can shorten (prod);
    #: GOVERNANCE lets an administrator with s3:BypassGovernanceRetention clean up a dev account
    audit_lock_mode: Literal["GOVERNANCE", "COMPLIANCE"] = "COMPLIANCE"
    #: the AWS account (alias) the stage deploys to, and whether this stage's stack owns the
    #: account-wide API Gateway CloudWatch role (exactly one stage per account may)
    account: str = "local"
    owns_account_resources: bool = False
    #: SNS mobile push platform applications created from their Secrets Manager credentials
    #: (infra/constructs/live.py). A new account's first deploy sets () — the secrets do not exist
    #: yet —, operations fill them, then the platforms are listed again (docs/alerts.md).
    push_platforms: tuple[str, ...] = ("fcm", "apns")

    def __post_init__(self) -> None:
        if not 1 <= self.pitr_days <= 35:
            raise ValueError(f"stage {self.name}: pitr_days must be 1..35 (DynamoDB), got {self.pitr_days}")
        kept = self.retention_days + TTL_LAG_DAYS + self.pitr_days
        if kept > LEGAL_LIMIT_DAYS:
            raise ValueError(
                f"stage {self.name}: retention {self.retention_days} + TTL lag {TTL_LAG_DAYS} + PITR "
                f"{self.pitr_days} = {kept} days exceeds the legal {LEGAL_LIMIT_DAYS}"
            )


STAGES: dict[str, Stage] = {
    "local": Stage(name="local", alert_max_age_minutes=180),
    "dev": Stage(
        name="dev",
        log_retention_days=14,
        alarm_email="anpr-dev-alarms@example.org",  # replace with the team's list before deploying
        audit_lock_mode="GOVERNANCE",
        account="anpr-dev",
        owns_account_resources=True,
    ),
    "prod": Stage(
        name="prod",
        log_retention_days=365,
        removal_policy="retain",
        alarm_email="anpr-ops-oncall@example.org",  # replace with the on-call address before deploying
        account="anpr-prod",
        owns_account_resources=True,
    ),
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
        "ANPR_ALERT_MAX_AGE_MINUTES": str(stage.alert_max_age_minutes),
        "POWERTOOLS_SERVICE_NAME": fn.service,
        "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
    }
    if value_of is not None:
        env.update({use.env_var: value_of(use) for use in fn.uses})
    return env
