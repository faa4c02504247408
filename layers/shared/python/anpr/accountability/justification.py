"""Why may this person look at these reads? Case reference, reason, and age tiers.

Belgian rules: every access justified; administrative police only within the first month;
judicial access to older reads only with a written, reasoned decision of the prosecutor;
nothing beyond the retention window exists.
"""

from __future__ import annotations

from dataclasses import dataclass

from anpr.kernel.auth import Caller, Forbidden
from anpr.kernel.clock import DAY_MS
from anpr.kernel.errors import BadRequest

#: roles acting as judicial police (may reach past the administrative window with a decision)
JUDICIAL_ROLES = frozenset({"investigator"})
MIN_REASON_CHARS = 10


@dataclass(frozen=True)
class Justification:
    case_ref: str
    reason: str
    prosecutor_ref: str | None = None


def check_access(
    caller: Caller,
    justification: Justification | None,
    oldest_ms: int,
    now_ms: int,
    admin_window_days: int = 30,
    retention_days: int = 365,
) -> Justification:
    """Raise ``BadRequest`` (400) or ``Forbidden`` (403) with the exact reason, else return."""
    j = justification
    if j is None or not (j.case_ref or "").strip():
        raise BadRequest("a case reference (case_ref) is required for every access to reads")
    if len((j.reason or "").strip()) < MIN_REASON_CHARS:
        raise BadRequest(f"a reason of at least {MIN_REASON_CHARS} characters is required")
    if oldest_ms < now_ms - retention_days * DAY_MS:
        raise BadRequest(f"reads older than the {retention_days}-day retention window do not exist")
    if oldest_ms < now_ms - admin_window_days * DAY_MS:
        if not (j.prosecutor_ref or "").strip():
            raise Forbidden(
                f"reads older than {admin_window_days} days need a prosecutor-decision reference "
                "(prosecutor_ref)"
            )
        if not caller.groups & JUDICIAL_ROLES:
            raise Forbidden(
                f"reads older than {admin_window_days} days are reserved to judicial roles "
                f"({', '.join(sorted(JUDICIAL_ROLES))})"
            )
    return j
