"""Synthesis helpers for the infra tests: the app as `cdk synth` builds it, bundling skipped."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App
from aws_cdk.assertions import Template

from infra.app import build
from infra.stack import AnprStack

ROOT = Path(__file__).resolve().parents[2]


def cdk_context(**extra: Any) -> dict[str, Any]:
    """cdk.json's context (feature flags) + no asset bundling: what `cdk synth` sees, minus pip."""
    context = json.loads((ROOT / "cdk.json").read_text())["context"]
    return {**context, "aws:cdk:bundling-stacks": [], **extra}


@dataclass(frozen=True)
class Synth:
    app: App
    stack: AnprStack
    template: Template
    json: dict

    def resources(self, cfn_type: str) -> dict[str, dict]:
        return {k: r for k, r in self.json["Resources"].items() if r["Type"] == cfn_type}

    def resource(self, logical_id: str) -> dict:
        return self.json["Resources"][logical_id]

    def props(self, logical_id: str) -> dict:
        return self.json["Resources"][logical_id].get("Properties", {})

    def logical_id(self, kind: str, spec_id: str) -> str:
        return self.stack.registry.logical_id(kind, spec_id)


def synthesize(tmp_path_factory: pytest.TempPathFactory, stage: str) -> Synth:
    app = App(context=cdk_context(stage=stage), outdir=str(tmp_path_factory.mktemp(f"cdk-{stage}")))
    stack = build(app, nag=False)
    template = Template.from_stack(stack)
    return Synth(app, stack, template, template.to_json())


def properties_of(template: dict, cfn_type: str) -> list[dict]:
    """The properties of every resource of one CloudFormation type in a template (JSON)."""
    return [r.get("Properties", {}) for r in template["Resources"].values() if r["Type"] == cfn_type]


def nag_findings(app: App) -> list[str]:
    """cdk-nag's AwsSolutions findings under ``app``, one line each (rule, path, description)."""
    from cdk_nag import AwsSolutionsChecks

    report = AwsSolutionsChecks(verbose=True).validate_scope(app)
    return [
        f"{v.rule_name} {r.construct_path}: {v.description[:120]}"
        for v in report.violations
        for r in v.violating_resources
    ]
