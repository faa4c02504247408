"""Every resource the spec declares, by (kind, spec id).

Constructs register what they build here and the Lambda factory resolves a ``Use`` through
it. Tests use :meth:`Registry.logical_id` to find the CloudFormation resource that a spec
entry became, so the template can be compared with the spec (``anpr.kernel.platform``) entry by entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from aws_cdk import CfnResource, Stack

Kind = Literal[
    "key", "table", "bucket", "queue", "topic", "subscription", "state_machine", "function", "schedule"
]


@dataclass
class Registry:
    _items: dict[tuple[str, str], Any] = field(default_factory=dict)

    def add(self, kind: Kind, spec_id: str, resource: Any) -> Any:
        if (kind, spec_id) in self._items:
            raise ValueError(f"duplicate {kind} {spec_id!r}: declared twice (anpr/<concern>/spec.py)")
        self._items[(kind, spec_id)] = resource
        return resource

    def get(self, kind: Kind, spec_id: str) -> Any:
        try:
            return self._items[(kind, spec_id)]
        except KeyError:
            known = sorted(i for k, i in self._items if k == kind)
            raise KeyError(
                f"the spec names unknown {kind} {spec_id!r} (anpr/<concern>/spec.py); known: {known}"
            ) from None

    def all(self, kind: Kind) -> dict[str, Any]:
        return {i: r for (k, i), r in self._items.items() if k == kind}

    def logical_id(self, kind: Kind, spec_id: str) -> str:
        """The CloudFormation logical id of the resource built for one spec entry."""
        resource = self.get(kind, spec_id)
        cfn = resource if isinstance(resource, CfnResource) else resource.node.default_child
        return Stack.of(cfn).get_logical_id(cfn)
