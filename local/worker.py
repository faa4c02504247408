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
    module_name, func = handler_ref.rsplit(".", 1)
    _handler = getattr(importlib.import_module(module_name), func)
    _fn_name = fn_name


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
