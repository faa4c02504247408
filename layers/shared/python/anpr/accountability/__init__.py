"""Accountability: who accessed what and why, random audit probes, legal holds,
transparency figures and retention helpers. The audit trail itself: ``anpr.accountability.audit_store``."""
