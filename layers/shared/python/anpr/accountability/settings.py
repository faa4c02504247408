"""Validated configuration of the accountability functions (env names: anpr.kernel.platform rule)."""

from __future__ import annotations

from pydantic import Field

from anpr.accountability.justification import (
    MIN_REASON_CHARS,
    REFERENCE_FORMAT,
    REFERENCE_PATTERN,
    JustificationRules,
)
from anpr.kernel.config import BaseConfig


class AuditTrailSettings(BaseConfig):
    """What every function writing audit records reads (``AUDIT_WRITER_USES``)."""

    table_audit_trail: str
    #: every writer should have it (AUDIT_WRITER_USES); absent only in partial setups
    bucket_audit_archive: str | None = None


class JustificationSettings(BaseConfig):
    """The declared formats of a justification, per stage (``ANPR_CASE_REF_PATTERN``...)."""

    case_ref_pattern: str = REFERENCE_PATTERN
    case_ref_format: str = REFERENCE_FORMAT
    prosecutor_ref_pattern: str = REFERENCE_PATTERN
    prosecutor_ref_format: str = REFERENCE_FORMAT
    reason_min_alnum: int = Field(default=MIN_REASON_CHARS, ge=1)

    def justification_rules(self) -> JustificationRules:
        """The rules with the values set here (same names); the rest keep their defaults."""
        return JustificationRules(**self.model_dump(include=set(JustificationRules.model_fields)))


class ProbeSettings(BaseConfig):
    table_probes: str
    #: share of the period's searches drawn for supervisor review
    probe_rate: float = Field(default=0.05, ge=0, le=1)
    #: at least this many a week (pro rata per draw period), however few searches there were
    probe_min_per_week: int = Field(default=5, ge=0)
    #: an unanswered probe escalates this many days after it was drawn
    probe_escalate_after_days: int = Field(default=7, ge=1)
    #: fixed seed for reproducible draws (tests, demo); unset = unpredictable (SystemRandom)
    probe_seed: str | None = None


class ProbeJobSettings(ProbeSettings, AuditTrailSettings):
    pass


class AuditApiSettings(ProbeSettings, AuditTrailSettings, JustificationSettings):
    table_legal_holds: str
    table_reads: str
    table_cameras: str
    table_alerts: str
    bucket_held_evidence: str
