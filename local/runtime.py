"""The local cloud: a moto server on 127.0.0.1, the spec's resources created on it, and the
real Lambda handlers running in worker processes behind SQS event-source mappings.

No AWS account, no Docker. Same handlers, same resource definitions (``anpr.kernel.platform``), same
event shapes. What moto does not do by itself, this runtime does: delivering SQS batches to
functions (``local.esm``), expiring TTL'd items (``sweep_expired``).
"""

from __future__ import annotations

import io
import json
import logging
import multiprocessing
import os
import socket
import threading
import time
import urllib.request
import zipfile
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Self

import boto3
from anpr.kernel import platform as spec
from moto.server import ThreadedMotoServer

from infra.stages import Stage, stage
from local import worker
from local.esm import QueuePoller, StreamPoller
from local.resources import REGION, Provisioned, provision

log = logging.getLogger("local.runtime")

#: the analytics feed (infra/constructs/analytics.py builds it on AWS, outside the spec): the
#: Reads stream → the same handler, writing the Parquet layout DuckDB reads (docs/analytics.md)
ANALYTICS_FEED = spec.FunctionSpec(
    id="AnalyticsFeed", code="analytics_feed", service="analytics-feed", memory_mb=256, timeout_s=60
)
#: compaction of closed hours in the local copy, run by ``tick`` (Firehose's 15-minute buffer)
ANALYTICS_COMPACT_MINUTES = 15

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


class FunctionError(Exception):
    def __init__(self, error: dict):
        super().__init__(f"{error.get('errorType')}: {error.get('errorMessage')}")
        self.error = error


class FunctionHost:
    """Warm "containers" for one function: a pool of spawned processes.

    A worker that dies (``kill -9``, out of memory) breaks the pool: its in-flight invocations
    fail (their batches are retried by the event source) and the next submit builds a new pool,
    as Lambda starts a new container after one crashed.
    """

    def __init__(self, fn: spec.FunctionSpec, env: dict[str, str], concurrency: int, log_dir: Path):
        self.fn, self.env, self.concurrency, self.log_dir = fn, env, concurrency, log_dir
        self.cpu_ms: list[float] = []
        self.wall_ms: list[float] = []
        self.restarts = 0
        self._lock = threading.Lock()
        self._closed = False
        self.pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.concurrency,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=worker.init,
            initargs=(
                self.fn.id,
                str(self.fn.code_path),
                self.fn.handler,
                self.env,
                str(self.log_dir / f"{self.fn.code}.log"),
                [str(spec.ROOT), str(spec.ROOT / "layers" / "shared" / "python")],
                os.getpid(),
            ),
        )

    def submit(self, event: dict) -> Future:
        with self._lock:
            if self._closed:
                raise RuntimeError(f"{self.fn.id}: the runtime is stopping")
            try:
                return self.pool.submit(worker.invoke, event, self.fn.timeout_s)
            except BrokenProcessPool:
                self._rebuild()
                return self.pool.submit(worker.invoke, event, self.fn.timeout_s)

    def _rebuild(self) -> None:
        """A worker died: replace the broken pool (callers hold the lock)."""
        log.warning("%s: a worker died; starting new workers", self.fn.id)
        old = self.pool
        old.shutdown(wait=False, cancel_futures=True)
        _terminate(old)
        self.pool = self._new_pool()
        self.restarts += 1

    def configure(self, env: dict[str, str]) -> None:
        """Set environment variables, as a Lambda configuration update does: new containers."""
        with self._lock:
            self.env = {**self.env, **env}
            old = self.pool
            self.pool = self._new_pool()
        old.shutdown(wait=False, cancel_futures=True)
        _terminate(old)

    def pids(self) -> list[int]:
        return [p.pid for p in list((self.pool._processes or {}).values()) if p.pid]

    def invoke(self, event: dict) -> dict:
        """Synchronous invoke (RequestResponse); raises FunctionError on a function error."""
        outcome = self.submit(event).result()
        self.record(outcome)
        if outcome.get("error"):
            raise FunctionError(outcome["error"])
        return outcome["result"]

    def record(self, outcome: dict) -> None:
        self.cpu_ms.append(outcome["cpu_ms"])
        self.wall_ms.append(outcome["wall_ms"])

    def warm_up(self) -> None:
        """Start every worker (imports, model loads) before traffic arrives."""
        futures = [self.pool.submit(worker.ping) for _ in range(self.pool._max_workers)]
        for f in futures:
            f.result()

    def shutdown(self) -> None:
        """Stop every worker now (in-flight batches stay in their queues and are redelivered)."""
        with self._lock:
            self._closed = True
            self.pool.shutdown(wait=False, cancel_futures=True)
            _terminate(self.pool)


def _terminate(pool: ProcessPoolExecutor, timeout_s: float = 5.0) -> None:
    procs = list((pool._processes or {}).values())
    for p in procs:
        if p.is_alive():
            p.terminate()
    deadline = time.monotonic() + timeout_s
    for p in procs:
        p.join(max(0.0, deadline - time.monotonic()))
        if p.is_alive():
            p.kill()
            p.join(1)


class LocalRuntime:
    def __init__(
        self,
        stage_name: str = "local",
        workdir: str | Path = ".local-runtime",
        concurrency: int = 2,
        retry_delay_s: float = 2.0,
        prefix: str = "anpr-local",
        port: int | None = None,
        faults_file: str | Path | None = None,
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
        #: DynamoDB stream → function mappings (the analytics feed)
        self.stream_pollers: list[StreamPoller] = []
        #: the analytics copy (Parquet, day/hour layout) DuckDB reads for long searches
        self.analytics_root = (self.workdir / "analytics").resolve()
        self._saved_env: dict[str, str | None] = {}
        self._schedule_last: dict[str, float] = {}
        self.gateway = None
        self.identity = None
        #: fault injection (tests): while this JSON file exists, workers fail AWS calls at random
        self.faults_file = Path(faults_file) if faults_file else None

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> LocalRuntime:
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's per-request access log
        # moto's ASL engine logs every failed state at length; the job records its own error
        logging.getLogger("moto.stepfunctions").setLevel(logging.CRITICAL)
        (self.workdir / "logs").mkdir(parents=True, exist_ok=True)
        self._set_env({**FAKE_CREDENTIALS, "AWS_ENDPOINT_URL": self.endpoint})
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self.server.start()
        if spec.STATE_MACHINES:
            self._route_lambda_invokes_to_workers()
        self.prov = provision(
            boto3.Session(region_name=REGION), prefix=self.prefix, function_arn=self._function_arn
        )
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
                    # a crashed worker's idempotency records expire after the function timeout
                    crash_retry_delay_s=max(self.retry_delay_s, fn.timeout_s + 1),
                    on_result=host.record,
                )
                self.pollers.append(poller)
        self._start_analytics_feed()
        return self

    # -- the analytics copy: Reads stream → feed → Parquet; compaction ---------------------

    def analytics_env(self) -> dict[str, str]:
        """Where long searches run locally: DuckDB over this runtime's folder of the layout."""
        return {"ANPR_ANALYTICS_ENGINE": "duckdb", "ANPR_ANALYTICS_ROOT": str(self.analytics_root)}

    def _start_analytics_feed(self) -> None:
        streamed = [t for t in spec.TABLES if t.stream]
        if not streamed:
            return
        host = self.hosts[ANALYTICS_FEED.id] = FunctionHost(
            ANALYTICS_FEED, self.function_env(ANALYTICS_FEED), concurrency=1, log_dir=self.workdir / "logs"
        )
        for t in streamed:
            arn = self.client("dynamodb").describe_table(TableName=self.name("table", t.id))["Table"][
                "LatestStreamArn"
            ]
            self.stream_pollers.append(
                StreamPoller(
                    streams=self.client("dynamodbstreams"),
                    stream_arn=arn,
                    submit=host.submit,
                    retry_delay_s=self.retry_delay_s,
                    on_result=host.record,
                    region=REGION,
                )
            )

    def _analytics_writer(self):
        from anpr.analytics.settings import AnalyticsSettings
        from anpr.analytics.wiring import writer_for

        settings = AnalyticsSettings(
            analytics_engine="duckdb",
            analytics_root=str(self.analytics_root),
            retention_days=self.stage.retention_days,
        )
        return writer_for(settings)

    def compact_analytics(self) -> list:
        """Closed hours of the local copy with several small files become one (AnalyticsWriter.compact)."""
        return self._analytics_writer().compact()

    def sweep_analytics(self) -> list:
        """Hour partitions past the stage's retention are deleted (AnalyticsWriter.sweep; on AWS
        the bucket's lifecycle expires them)."""
        return self._analytics_writer().sweep()

    # -- Step Functions: moto's ASL engine, Lambda tasks run by our workers ----------------

    def _function_name(self, fid: str) -> str:
        from local.resources import physical_name

        return physical_name(self.prefix, fid)

    def _function_arn(self, fid: str) -> str:
        """Registers the function with moto's Lambda (so the ARN resolves) and returns it."""
        lam = self.client("lambda")
        iam = self.client("iam")
        role = f"{self.prefix}-lambda-role"
        try:
            role_arn = iam.get_role(RoleName=role)["Role"]["Arn"]
        except iam.exceptions.NoSuchEntityException:
            role_arn = iam.create_role(
                RoleName=role,
                AssumeRolePolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
                '"Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}',
            )["Role"]["Arn"]
        name = self._function_name(fid)
        try:
            return lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
        except lam.exceptions.ResourceNotFoundException:
            fn = spec.function(fid)
            return lam.create_function(
                FunctionName=name,
                Runtime="python3.11",
                Role=role_arn,
                Handler=fn.handler,
                Code={"ZipFile": _empty_zip()},
                Timeout=fn.timeout_s,
            )["FunctionArn"]

    def _route_lambda_invokes_to_workers(self) -> None:
        """moto's Step Functions engine calls Lambda on localhost:$MOTO_PORT; moto's Lambda
        would need Docker, so Invoke is answered by the function's worker processes."""
        from moto.awslambda.models import LambdaBackend
        from moto.core.config import default_user_config

        default_user_config["stepfunctions"] = {"execute_state_machine": True}
        self._set_env({"MOTO_PORT": str(self.port)})
        runtime = self
        original = getattr(LambdaBackend, "_anpr_original_invoke", LambdaBackend.invoke)
        LambdaBackend._anpr_original_invoke = original

        def invoke(backend, function_name, qualifier, body, headers, response_headers):
            name = function_name.split(":function:")[-1].split(":")[0]
            fid = next((f.id for f in spec.FUNCTIONS if runtime._function_name(f.id) == name), None)
            if fid is None or fid not in runtime.hosts:
                return original(backend, function_name, qualifier, body, headers, response_headers)
            event = json.loads(body) if body else {}
            try:
                payload = json.dumps(runtime.hosts[fid].invoke(event))
            except FunctionError as exc:
                response_headers["x-amz-function-error"] = "Unhandled"
                payload = json.dumps(exc.error)
            response_headers["Content-Length"] = str(len(payload))
            return payload

        LambdaBackend.invoke = invoke

    def start_execution(self, sm_id: str, payload: dict, name: str) -> str:
        """Start a state machine (always named: moto names unnamed executions "None")."""
        return self.client("stepfunctions").start_execution(
            stateMachineArn=self.prov.arns[("state_machine", sm_id)], name=name, input=json.dumps(payload)
        )["executionArn"]

    # -- schedules: EventBridge Scheduler on AWS, ticked here ----------------------------

    def tick(self, now: float | None = None, force: bool = False) -> list[str]:
        """Run every schedule that is due (or all with ``force``); returns the ids run."""
        now = time.time() if now is None else now
        ran = []
        for sch in spec.SCHEDULES:
            last = self._schedule_last.get(sch.id)
            if force or last is None or now - last >= sch.rate_minutes * 60:
                self._schedule_last[sch.id] = now
                # EventBridge Scheduler delivers the target's Input as the event, unwrapped
                self.hosts[sch.function].invoke(dict(sch.payload))
                ran.append(sch.id)
        last = self._schedule_last.get("AnalyticsCompact")
        if self.stream_pollers and (force or last is None or now - last >= ANALYTICS_COMPACT_MINUTES * 60):
            self._schedule_last["AnalyticsCompact"] = now
            self.compact_analytics()
            self.sweep_analytics()
            ran.append("AnalyticsCompact")
        return ran

    # -- people: Cognito logins and the API -----------------------------------------------

    def start_api(self, port: int | None = None):
        """Local user pool (groups = roles) and API gateway; returns the gateway."""
        from local.gateway import LocalApiGateway
        from local.identity import LocalIdentity

        self.identity = LocalIdentity(self.client("cognito-idp"), REGION)
        self.gateway = LocalApiGateway(
            self.identity,
            lambda fid, event: self.hosts[fid].invoke(event),
            port or _free_port(),
        ).start()
        return self.gateway

    def warm_up(self, *fn_ids: str) -> None:
        for fid in fn_ids or self.hosts:
            self.hosts[fid].warm_up()

    def run_event_sources(self) -> None:
        for p in [*self.pollers, *self.stream_pollers]:
            if not p.is_alive():
                p.start()

    def start_live(self, port: int | None = None):
        """The live channel's WebSocket endpoint (``local.live``); after ``start_api``."""
        from local.live import LocalLive

        self.live = LocalLive(self, port).start()
        return self.live

    def stop(self) -> None:
        if getattr(self, "live", None):
            self.live.stop()
        if self.gateway:
            self.gateway.stop()
        for p in [*self.pollers, *self.stream_pollers]:
            p.stop()
        for p in [*self.pollers, *self.stream_pollers]:
            if p.is_alive():
                p.join(timeout=3)
        for h in self.hosts.values():
            h.shutdown()
        if self.server:
            # moto's backends are process-global: forget this cloud before the next one starts
            try:
                urllib.request.urlopen(
                    urllib.request.Request(f"{self.endpoint}/moto-api/reset", method="POST"), timeout=10
                )
            except OSError:
                log.warning("moto reset failed")
            self.server.stop()
        self._restore_env()

    def __enter__(self) -> Self:
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
            **self.analytics_env(),
            **({worker.FAULTS_ENV: str(self.faults_file)} if self.faults_file else {}),
        }

    def issue_network_keys(self, zone_files, network_files) -> dict[str, str | None]:
        """Zones, networks and their cameras from the data files, through the networks service
        on this cloud; one upload key per network (issue 12, ``anpr.networks.seed``)."""
        from anpr.alerts.wiring import settings_from
        from anpr.networks.seed import SEED_CALLER, seed
        from anpr.networks.settings import NetworksApiSettings
        from anpr.networks.wiring import api_services

        env = self.function_env(spec.function("NetworksApi"))
        services = api_services(settings_from(NetworksApiSettings, env))
        return seed(services.networks, SEED_CALLER, zone_files, network_files)

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
            idle = all(self.queue_depth(q) == 0 for q in sources) and not any(
                p.busy for p in [*self.pollers, *self.stream_pollers]
            )
            if idle:
                quiet_since = quiet_since or time.monotonic()
                if time.monotonic() - quiet_since >= settle_s:
                    return True
            else:
                quiet_since = None
            time.sleep(0.2)
        return False

    def sweep_expired(self, now_s: int | None = None) -> int:
        """What DynamoDB TTL does on AWS (moto never expires items): delete expired items.
        Items under legal hold carry no TTL, and the delete is conditional on the TTL still
        being past, so a hold placed meanwhile wins."""
        from anpr.accountability.retention import sweep_spec_tables

        now_s = int(time.time()) if now_s is None else now_s
        return sweep_spec_tables(self.client("dynamodb"), lambda t: self.name("table", t), now_s)

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


def _empty_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("handler.py", "# code runs in the local runtime's worker processes\n")
    return buf.getvalue()
