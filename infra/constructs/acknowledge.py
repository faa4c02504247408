"""cdk-nag acknowledgements: always on one resource, always with a reason.

cdk-nag 3 reads CDK's native ``Validations.of(construct).acknowledge(...)`` metadata from
the flagged resource *and its ancestors*, so an acknowledgement on a Stack or App would
silence the rule for everything below it. :func:`acknowledge` refuses those scopes, and
``tests/infra`` checks that no Stack/App carries one.
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, Stack, Stage, Validations
from constructs import IConstruct


def acknowledge(construct: IConstruct, rule_id: str, reason: str) -> None:
    if isinstance(construct, (Stack, Stage)):
        raise TypeError(f"{rule_id}: acknowledge on the resource, never on a whole stack/app")
    if len(reason) < 20:
        raise ValueError(f"{rule_id}: give a real reason (got {reason!r})")
    already = {
        key.split("::", 1)[-1]
        for entry in construct.node.metadata
        if entry.type == Validations.ACKNOWLEDGED_RULES_METADATA_KEY and entry.data
        for key in entry.data
    }
    if rule_id not in already:  # e.g. read + append on one bucket: one finding, one entry
        Validations.of(construct).acknowledge(Acknowledgment(id=rule_id, reason=reason))


def nag_resource(scope: IConstruct, value: str) -> str:
    """A resource ARN the way cdk-nag prints it in ``AwsSolutions-IAM5[Resource::...]``.

    Mirrors cdk-nag's ``flattenCfnReference``: ``{"Fn::GetAtt": [X, "Arn"]}`` → ``<X.Arn>``,
    ``Fn::Join`` joined, ``Ref`` → ``<X>``.
    """
    return _flatten(Stack.of(scope).resolve(value))


def _flatten(node: object) -> str:
    if node is None:
        return ""
    if isinstance(node, str):
        return node.replace("${", "<").replace("}", ">")
    if isinstance(node, dict):
        if "Fn::Join" in node:
            delimiter, items = node["Fn::Join"]
            return delimiter.join(_flatten(i) for i in items)
        if "Fn::Sub" in node:
            return _flatten(node["Fn::Sub"])
        if "Fn::GetAtt" in node:
            resource, attribute = node["Fn::GetAtt"]
            return f"<{_flatten(resource)}.{_flatten(attribute)}>"
        if "Fn::ImportValue" in node:
            return _flatten(node["Fn::ImportValue"])
        if "Ref" in node:
            return f"<{_flatten(node['Ref'])}>"
    import json

    return json.dumps(node, separators=(",", ":"))


def acknowledge_wildcard_resource(role: IConstruct, arn: str, reason: str) -> None:
    acknowledge(role, f"AwsSolutions-IAM5[Resource::{nag_resource(role, arn)}]", reason)
