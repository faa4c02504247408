"""Accountability: who accessed what and why, random audit probes, legal holds,
transparency figures and retention helpers. The audit trail itself: ``anpr.accountability.adapters.dynamo.DynamoAuditTrail`` (wired by ``anpr.accountability.wiring.trail_from``)."""
