"""Generic builders: each turns the entries of one kind (tables, buckets, queues, topics and
subscriptions, functions, state machines, schedules, routes) of ONE concern's spec part into
CDK resources, the same way for every concern. :class:`infra.constructs.concern.Concern` calls
them per part, so the construct tree reads like the package tree (``Ingest/Tables/Reads``,
``Search/StateMachines/Search``, ``Alerts/Functions/AlertsApi/Handler``...).

Everything a builder needs beyond its specs comes in :class:`infra.builders.base.Shared`;
references to other concerns' resources resolve through the :class:`Registry`.
"""
