"""A Lambda "container": one process hosting one function's handler with its own env.

Runs in a spawned process, so each function imports its code fresh, keeps module-level
state across invocations (warm container) and sees only its own environment.
"""

from __future__ import annotations

import importlib
import os
import signal
import sys
import threading
import time
import traceback
import uuid

_handler = None
_fn_name = ""


class _Context:
    def __init__(self, fn_name: str, timeout_s: int):
        self.function_name = fn_name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = 1024
        self.invoked_function_arn = f"arn:aws:lambda:eu-west-1:123456789012:function:{fn_name}"
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{fn_name}"
        self.log_stream_name = "local"
        self._deadline = time.monotonic() + timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def _exit_with(parent_pid: int) -> None:
    """A worker never outlives its runtime (even one killed with SIGKILL): no orphans."""
    while True:
        time.sleep(0.5)
        if os.getppid() != parent_pid:
            os._exit(0)


def init(
    fn_name: str,
    code_dir: str,
    handler_ref: str,
    env: dict,
    log_path: str,
    sys_paths: list[str],
    parent_pid: int | None = None,
):
    global _handler, _fn_name
    # Ctrl-C reaches the whole process group: the runtime decides when its workers stop
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if parent_pid is not None:
        threading.Thread(target=_exit_with, args=(parent_pid,), daemon=True, name="parent-watch").start()
    os.environ.update(env)
    os.environ["AWS_LAMBDA_FUNCTION_NAME"] = fn_name
    sys.path[:0] = [code_dir, *sys_paths]
    log = open(log_path, "a", buffering=1)  # noqa: SIM115 (lives as long as the process)
    os.dup2(log.fileno(), 1)
    os.dup2(log.fileno(), 2)
    sys.stdout = sys.stderr = log
    if os.environ.get(FAULTS_ENV):
        install_fault_injector(os.environ[FAULTS_ENV], fn_name)
    module_name, func = handler_ref.rsplit(".", 1)
    _handler = getattr(importlib.import_module(module_name), func)
    _fn_name = fn_name


#: path of a JSON control file ``{"p": 0.2, "seed": 7, "services": ["sns", "dynamodb"]}``: while it
#: exists, each AWS call to those services fails with probability p (ServiceUnavailable)
FAULTS_ENV = "ANPR_LOCAL_FAULTS_FILE"


def install_fault_injector(control_file: str, fn_name: str) -> None:
    """Fault injection for the runtime's tests: AWS calls fail at random while the control file
    exists (seeded per function and worker). Raised where botocore's own retries have given up,
    as a persistent outage would be."""
    import json
    import random

    from botocore.client import BaseClient
    from botocore.exceptions import ClientError

    original = BaseClient._make_api_call
    state: dict = {"mtime": None, "config": None, "rng": None, "injected": 0}

    def config() -> dict | None:
        try:
            mtime = os.stat(control_file).st_mtime_ns
        except OSError:
            return None
        if mtime != state["mtime"]:
            try:
                with open(control_file) as f:
                    cfg = json.load(f)
            except (OSError, ValueError):
                return None
            state.update(
                mtime=mtime, config=cfg, rng=random.Random(f"{cfg.get('seed', 0)}/{fn_name}/{os.getpid()}")
            )
        return state["config"]

    def make_api_call(self, operation_name, api_params):
        cfg = config()
        if (
            cfg
            and self.meta.service_model.service_name in cfg.get("services", ())
            and state["rng"].random() < float(cfg.get("p", 0))
        ):
            state["injected"] += 1
            print(f"fault injected: {self.meta.service_model.service_name}.{operation_name}", flush=True)
            raise ClientError(
                {"Error": {"Code": "ServiceUnavailable", "Message": "injected fault"}}, operation_name
            )
        return original(self, operation_name, api_params)

    BaseClient._make_api_call = make_api_call


def invoke(event: dict, timeout_s: int = 30) -> dict:
    """Run the handler once; report its result (or its error, as Lambda does) and its cost."""
    t0, c0 = time.perf_counter(), time.process_time()
    result, error = None, None
    try:
        result = _handler(event, _Context(_fn_name, timeout_s))
    except Exception as exc:  # noqa: BLE001 - an unhandled function error, reported like Lambda's
        traceback.print_exc()
        error = {"errorType": type(exc).__name__, "errorMessage": str(exc)}
    return {
        "result": result,
        "error": error,
        "wall_ms": (time.perf_counter() - t0) * 1000,
        "cpu_ms": (time.process_time() - c0) * 1000,
    }


def ping() -> int:
    return os.getpid()
