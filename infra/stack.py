"""The ANPR platform stack: one construct per concern, plus the cross-cutting ones.

Keys and access logs → the concerns (``anpr.kernel.platform.CONCERNS``, in order: Ingest,
Accountability, Alerts, Search, Networks, Live; each :class:`Concern` builds its own part of
the spec) → every concern's functions wired (env vars, grants, event sources) → Analytics →
Api (Cognito + REST) → Web → Monitoring. Everything is built from the spec; nothing here lists
resources.
"""

from __future__ import annotations

from anpr.kernel.platform import CONCERNS
from aws_cdk import Environment, RemovalPolicy, Stack, Tags
from constructs import Construct

from infra.builders.base import Shared
from infra.builders.buckets import access_log_bucket
from infra.builders.functions import Layers
from infra.constructs.analytics import Analytics
from infra.constructs.api import ApiAuth
from infra.constructs.concern import Concern
from infra.constructs.keys import DataKeys
from infra.constructs.live import Live
from infra.constructs.monitoring import Monitoring
from infra.constructs.registry import Registry
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
        self.access_logs = access_log_bucket(self, "AccessLogs", stage, removal)
        self.layers = Layers(self, "Layers")
        shared = Shared(stage, self.keys, registry, removal, self.access_logs, self.layers)
        self.concerns = {name: Concern(self, name, part, shared) for name, part in CONCERNS.items()}
        for concern in self.concerns.values():
            concern.wire()
        # long searches: the reads' analytics copy (stream -> Firehose -> Parquet, Glue, Athena);
        # a construct of its own (Firehose, Glue and Athena are not spec kinds): the template
        # tests name its resources as the one declared exception
        self.analytics = Analytics(
            self,
            "Analytics",
            stage=stage,
            plates_key=self.keys.for_class("plates"),
            messages_key=self.keys.messages,
            reads_table=registry.get("table", "Reads"),
            access_logs=self.access_logs,
            removal=removal,
            layers=[self.layers.get("shared")],
        )
        # the search functions run long searches there (engine stated at submit, SQL in the task)
        self.analytics.serve_searches(
            registry.get("function", "SearchTask"), registry.get("function", "SearchApi")
        )
        self.api = ApiAuth(self, "Api", stage=stage, registry=registry, removal=removal)
        # the patrol app's live channel (WebSocket API, push platform applications): not spec kinds
        fn = lambda fid: registry.get("function", fid)
        self.live = Live(
            self.concerns["Live"],
            "Channel",
            stage=stage,
            connect=fn("LiveConnect"),
            disconnect=fn("LiveDisconnect"),
            fanout=fn("LiveFanout"),
            devices=fn("LiveDevices"),
            user_pool=self.api.user_pool,
            user_pool_client=self.api.client,
            secrets_key=self.keys.messages,
            removal=removal,
            push_platforms=stage.push_platforms,
        )
        web_origins = {
            "api": self.api.api,
            "images": registry.get("bucket", "Snapshots"),
            "live_url": self.live.url,
        }  # for the CSP and config.json
        self.web = WebApps(self, "Web", access_logs=self.access_logs, removal=removal, **web_origins)
        self.monitoring = Monitoring(
            self,
            "Monitoring",
            stage=stage,
            keys=self.keys,
            queues=registry.all("queue"),
            functions=registry.all("function"),
            state_machines=registry.all("state_machine"),
            api=self.api.api,
        )
