"""Cognito groups. Every person logs in personally; what each group may call is the routes."""

ROLES: tuple[str, ...] = ("patrol", "investigator", "watchlist_manager", "supervisor", "auditor", "ops")
