"""The ANPR platform stack: one construct per concern, composed in dependency order.

keys → reads store → ingest → alerts → functions → search → (functions wired) → schedules
→ API/auth → monitoring. Everything is built from ``anpr/kernel/platform.py``; nothing here lists resources.
"""

from __future__ import annotations

from aws_cdk import Environment, RemovalPolicy, Stack, Tags
from constructs import Construct

from infra.constructs import (
    Alerts,
    ApiAuth,
    DataKeys,
    Functions,
    Ingest,
    Monitoring,
    ReadsStore,
    Registry,
    Schedules,
    Search,
)
from infra.constructs.analytics import Analytics
from infra.constructs.web import WebApps
from infra.stages import Stage

REMOVAL_POLICIES = {"destroy": RemovalPolicy.DESTROY, "retain": RemovalPolicy.RETAIN}


def stack_name(stage: Stage) -> str:
    return f"Anpr-{stage.name}"


class AnprStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, stage: Stage) -> None:
        super().__init__(
            scope,
            construct_id,
            stack_name=stack_name(stage),
            description=f"National ANPR platform ({stage.name})",
            # account left to the CLI's credentials at deploy time: synth needs none
            env=Environment(region=stage.region),
            termination_protection=stage.removal_policy == "retain",
        )
        self.stage = stage
        self.registry = registry = Registry()
        removal = REMOVAL_POLICIES[stage.removal_policy]
        Tags.of(self).add("project", "anpr")
        Tags.of(self).add("stage", stage.name)

        self.keys = DataKeys(self, "Keys", stage=stage, registry=registry, removal=removal)
        self.reads_store = ReadsStore(
            self, "ReadsStore", keys=self.keys, registry=registry, removal=removal, stage=stage
        )
        self.ingest = Ingest(self, "Ingest", stage=stage, keys=self.keys, registry=registry, removal=removal)
        self.alerts = Alerts(self, "Alerts", keys=self.keys, registry=registry)
        self.functions = Functions(self, "Functions", stage=stage, registry=registry, removal=removal)
        self.search = Search(self, "Search", stage=stage, registry=registry, removal=removal)
        self.functions.wire()
        self.schedules = Schedules(self, "Schedules", registry=registry)
        # long searches: the reads' analytics copy (stream -> Firehose -> Parquet, Glue, Athena);
        # a construct of its own (Firehose, Glue and Athena are not spec kinds): the template
        # tests name its resources as the one declared exception
        self.analytics = Analytics(
            self,
            "Analytics",
            stage=stage,
            plates_key=self.keys.for_class("plates"),
            messages_key=self.keys.messages,
            reads_table=self.reads_store.tables["Reads"],
            access_logs=self.ingest.access_logs,
            removal=removal,
            layers=[self.functions.layers.get("shared")],
        )
        self.api = ApiAuth(self, "ApiAuth", stage=stage, registry=registry, removal=removal)
        web_origins = {"api": self.api.api, "images": self.ingest.buckets["Snapshots"]}  # for the CSP
        self.web = WebApps(self, "Web", access_logs=self.ingest.access_logs, removal=removal, **web_origins)
        self.monitoring = Monitoring(
            self,
            "Monitoring",
            stage=stage,
            keys=self.keys,
            queues=self.ingest.queues,
            functions=self.functions.functions,
            state_machines=self.search.state_machines,
            api=self.api.api,
        )
