"""The local cloud: a moto server on 127.0.0.1, the spec's resources created on it, and the
real Lambda handlers running in worker processes behind SQS event-source mappings.

No AWS account, no Docker. Same handlers, same resource definitions (``anpr.spec``), same
event shapes. What moto does not do by itself, this runtime does: delivering SQS batches to
functions (``local.esm``), expiring TTL'd items (``sweep_expired``).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import socket
import time
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

import boto3
from moto.server import ThreadedMotoServer

from anpr import spec
from infra.stages import Stage, stage
from local import worker
from local.esm import QueuePoller
from local.resources import REGION, Provisioned, provision

log = logging.getLogger("local.runtime")

FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_SESSION_TOKEN": "local",
    "AWS_REGION": REGION,
    "AWS_DEFAULT_REGION": REGION,
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class FunctionHost:
    """Warm "containers" for one function: a pool of spawned processes."""

    def __init__(self, fn: spec.FunctionSpec, env: dict[str, str], concurrency: int, log_dir: Path):
        self.fn = fn
        self.cpu_ms: list[float] = []
        self.wall_ms: list[float] = []
        ctx = multiprocessing.get_context("spawn")
        self.pool = ProcessPoolExecutor(
            max_workers=concurrency,
            mp_context=ctx,
            initializer=worker.init,
            initargs=(
                fn.id,
                str(fn.code_path),
                fn.handler,
                env,
                str(log_dir / f"{fn.code}.log"),
                [str(spec.ROOT), str(spec.ROOT / "layers" / "shared" / "python")],
            ),
        )

    def submit(self, event: dict) -> Future:
        return self.pool.submit(worker.invoke, event, self.fn.timeout_s)

    def invoke(self, event: dict) -> dict:
        return self.submit(event).result()["result"]

    def record(self, outcome: dict) -> None:
        self.cpu_ms.append(outcome["cpu_ms"])
        self.wall_ms.append(outcome["wall_ms"])

    def warm_up(self) -> None:
        """Start every worker (imports, model loads) before traffic arrives."""
        futures = [self.pool.submit(worker.ping) for _ in range(self.pool._max_workers)]
        for f in futures:
            f.result()

    def shutdown(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


class LocalRuntime:
    def __init__(
        self,
        stage_name: str = "local",
        workdir: str | Path = ".local-runtime",
        concurrency: int = 2,
        retry_delay_s: float = 2.0,
        prefix: str = "anpr-local",
        port: int | None = None,
    ):
        self.stage: Stage = stage(stage_name)
        self.workdir = Path(workdir)
        self.concurrency, self.retry_delay_s, self.prefix = concurrency, retry_delay_s, prefix
        self.port = port or _free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.server: ThreadedMotoServer | None = None
        self.prov: Provisioned | None = None
        self.hosts: dict[str, FunctionHost] = {}
        self.pollers: list[QueuePoller] = []
        self._saved_env: dict[str, str | None] = {}

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> LocalRuntime:
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's per-request access log
        (self.workdir / "logs").mkdir(parents=True, exist_ok=True)
        self._set_env({**FAKE_CREDENTIALS, "AWS_ENDPOINT_URL": self.endpoint})
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self.server.start()
        self.prov = provision(boto3.Session(region_name=REGION), prefix=self.prefix)
        for fn in spec.FUNCTIONS:
            self.hosts[fn.id] = FunctionHost(
                fn, self.function_env(fn), concurrency=self.concurrency, log_dir=self.workdir / "logs"
            )
        for fn in spec.FUNCTIONS:
            for source in fn.sources:
                host = self.hosts[fn.id]
                poller = QueuePoller(
                    sqs=self.client("sqs"),
                    queue_url=self.prov.queue_urls[source.queue],
                    queue_arn=self.prov.arns[("queue", source.queue)],
                    source=source,
                    submit=host.submit,
                    concurrency=self.concurrency,
                    retry_delay_s=self.retry_delay_s,
                    on_result=host.record,
                )
                self.pollers.append(poller)
        return self

    def warm_up(self, *fn_ids: str) -> None:
        for fid in fn_ids or self.hosts:
            self.hosts[fid].warm_up()

    def run_event_sources(self) -> None:
        for p in self.pollers:
            if not p.is_alive():
                p.start()

    def stop(self) -> None:
        for p in self.pollers:
            p.stop()
        for p in self.pollers:
            if p.is_alive():
                p.join(timeout=3)
        for h in self.hosts.values():
            h.shutdown()
        if self.server:
            self.server.stop()
        self._restore_env()

    def __enter__(self) -> LocalRuntime:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- helpers -------------------------------------------------------------------------

    def function_env(self, fn: spec.FunctionSpec) -> dict[str, str]:
        return {
            **FAKE_CREDENTIALS,
            "AWS_ENDPOINT_URL": self.endpoint,
            "POWERTOOLS_TRACE_DISABLED": "true",
            "AWS_LAMBDA_LOG_FORMAT": "JSON",
            **self.prov.function_env(fn, self.stage),
        }

    def client(self, service: str):
        return boto3.client(service, region_name=REGION, endpoint_url=self.endpoint)

    def name(self, kind: str, rid: str) -> str:
        return self.prov.name(kind, rid)

    def queue_depth(self, qid: str) -> int:
        attrs = self.client("sqs").get_queue_attributes(
            QueueUrl=self.prov.queue_urls[qid],
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attrs["ApproximateNumberOfMessages"]) + int(attrs["ApproximateNumberOfMessagesNotVisible"])

    def wait_idle(self, timeout_s: float = 60, settle_s: float = 1.0) -> bool:
        """True once every event-source queue is empty and no batch is in flight."""
        deadline = time.monotonic() + timeout_s
        quiet_since = None
        sources = {s.queue for f in spec.FUNCTIONS for s in f.sources}
        while time.monotonic() < deadline:
            idle = all(self.queue_depth(q) == 0 for q in sources) and not any(p.busy for p in self.pollers)
            if idle:
                quiet_since = quiet_since or time.monotonic()
                if time.monotonic() - quiet_since >= settle_s:
                    return True
            else:
                quiet_since = None
            time.sleep(0.2)
        return False

    def sweep_expired(self, now_s: int | None = None) -> int:
        """What DynamoDB TTL does on AWS (moto never expires items): delete expired items."""
        now_s = int(time.time()) if now_s is None else now_s
        ddb = self.client("dynamodb")
        deleted = 0
        for t in spec.TABLES:
            if not t.ttl_attribute:
                continue
            name = self.name("table", t.id)
            keys = [t.partition_key.name] + ([t.sort_key.name] if t.sort_key else [])
            paginator = ddb.get_paginator("scan")
            for page in paginator.paginate(
                TableName=name,
                FilterExpression="#t < :now",
                ExpressionAttributeNames={"#t": t.ttl_attribute},
                ExpressionAttributeValues={":now": {"N": str(now_s)}},
            ):
                for item in page["Items"]:
                    ddb.delete_item(TableName=name, Key={k: item[k] for k in keys})
                    deleted += 1
        return deleted

    def _set_env(self, values: dict[str, str]) -> None:
        for k, v in values.items():
            self._saved_env.setdefault(k, os.environ.get(k))
            os.environ[k] = v

    def _restore_env(self) -> None:
        for k, v in self._saved_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        self._saved_env.clear()
