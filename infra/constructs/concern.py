"""One concern's resources, as its spec part declares them (``anpr.<concern>.spec.PART``).

``Concern(scope, "Alerts", part, shared)`` builds ``Alerts/Tables/…``, ``Alerts/Queues/…``,
``Alerts/Topics/…``, ``Alerts/Subscriptions/…``, ``Alerts/Functions/<id>/{Logs,Role,Handler}``,
``Alerts/StateMachines/…``, ``Alerts/Schedules/…`` with the generic builders of
``infra/builders``. Another concern's resources (a DLQ, a topic, a table a function uses)
resolve through the registry: concerns are built in ``anpr.kernel.platform.CONCERNS`` order,
then :meth:`wire` gives every function its env vars, grants and event sources once all exist.
"""

from __future__ import annotations

from anpr.kernel.platform import SpecPart
from constructs import Construct

from infra.builders.base import Shared
from infra.builders.buckets import build_buckets
from infra.builders.functions import build_functions, wire_functions
from infra.builders.queues import build_queues
from infra.builders.schedules import build_schedules
from infra.builders.state_machines import build_state_machines
from infra.builders.tables import build_tables
from infra.builders.topics import build_subscriptions, build_topics


class Concern(Construct):
    def __init__(self, scope: Construct, part_name: str, part: SpecPart, shared: Shared) -> None:
        super().__init__(scope, part_name)
        self.part, self._shared = part, shared
        self.tables = build_tables(self, part.tables, shared)
        self.queues = build_queues(self, part.queues, shared)
        self.buckets = build_buckets(self, part.buckets, shared)
        self.topics = build_topics(self, part.topics, shared)
        self.subscriptions = build_subscriptions(self, part.subscriptions, shared)
        self.functions = build_functions(self, part.functions, shared)
        self.state_machines = build_state_machines(self, part.state_machines, shared)
        self.schedules = build_schedules(self, part.schedules, shared)

    def wire(self) -> None:
        """Env vars, grants and event sources of this concern's functions (all concerns built)."""
        wire_functions(self.functions, self.part.functions, self._shared.registry)
