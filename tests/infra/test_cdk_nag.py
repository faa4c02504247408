"""The cdk-nag gate: AWS Solutions findings are fixed or acknowledged per resource, with a reason.

cdk-nag 3 runs as a CDK validation plugin (``Validations.of(app).add_plugins``) and reads
acknowledgements from ``Validations.of(construct).acknowledge`` metadata on the flagged
resource *and its ancestors*; it emits no annotations, so the gate calls the pack directly.
"""

from __future__ import annotations

import pytest
from aws_cdk import App, Stack, Stage, Validations
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Annotations, Match
from cdk_nag import AwsSolutionsChecks

from infra.app import build
from tests.infra.synthesis import cdk_context

ACK = Validations.ACKNOWLEDGED_RULES_METADATA_KEY


def _acknowledgements(scope) -> dict[str, str]:
    out: dict[str, str] = {}
    for entry in scope.node.metadata:
        if entry.type == ACK and entry.data:
            out.update(entry.data)
    return out


def test_no_unacknowledged_aws_solutions_findings(synth):
    # GIVEN the whole app WHEN the AWS Solutions pack validates it
    report = AwsSolutionsChecks(verbose=True).validate_scope(synth.app)
    # THEN nothing is left: no error, no warning
    findings = [
        f"{v.rule_name} [{v.severity}] {r.construct_path}: {v.description[:160]}"
        for v in report.violations
        for r in v.violating_resources
    ]
    assert findings == [], "\n".join(findings)
    assert report.success


def test_no_cdk_errors_warnings_or_nag_annotations(synth):
    annotations = Annotations.from_stack(synth.stack)
    assert annotations.find_error("*", Match.any_value()) == []
    assert annotations.find_warning("*", Match.any_value()) == []
    assert annotations.find_error("*", Match.string_like_regexp("AwsSolutions-.*")) == []
    assert annotations.find_warning("*", Match.string_like_regexp("AwsSolutions-.*")) == []


def test_no_acknowledgement_is_stack_or_app_wide(synth):
    # GIVEN every construct carrying an acknowledgement
    scopes = [c for c in synth.app.node.find_all() if _acknowledgements(c)]
    assert scopes, "expected per-resource acknowledgements"
    # THEN none is a Stack or the App (that would silence a rule for everything below it)
    assert [c.node.path for c in scopes if isinstance(c, (Stack, Stage))] == []


def test_every_acknowledgement_names_a_rule_and_gives_a_reason(synth):
    for construct in synth.app.node.find_all():
        for rule, reason in _acknowledgements(construct).items():
            assert "AwsSolutions-" in rule, (construct.node.path, rule)
            assert len(reason.strip()) >= 20, (construct.node.path, rule, reason)


def test_synth_fails_on_an_unacknowledged_finding(tmp_path):
    # GIVEN the app as infra/app.py builds it (nag plugin on) plus a bucket with no logging/TLS
    app = App(context=cdk_context(), outdir=str(tmp_path))
    stack = build(app)
    s3.Bucket(stack, "Sloppy")
    # WHEN it synthesizes THEN validation stops it, naming the rules
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    report = (tmp_path / "validation-report.json").read_text()
    assert "AwsSolutions-S1" in report and "AwsSolutions-S10" in report
