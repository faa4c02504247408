"""Running search.asl.json without AWS, two ways (reusable for any ASL file in the spec).

1. ``walk`` — a tiny interpreter for the subset of ASL our definitions use (Task, Choice,
   Map inline/distributed with ItemsPath or an S3 ItemReader, Retry by error name without
   sleeping, Catch, Succeed, Fail). Drives the task handler in-process with exactly the JSON
   the state machine would pass. Fast; used by unit tests with in-memory fakes.

2. ``lambda_in_process`` — runs the real ASL on **moto's own engine**
   (``mock_aws(config={"stepfunctions": {"execute_state_machine": True}})``): moto invokes
   Lambda through ``LambdaBackend.invoke(function_name, qualifier, body, headers,
   response_headers)``, which needs Docker; we patch it to call a Python handler in-process,
   returning the error envelope Lambda returns for an unhandled exception
   (``x-amz-function-error: Unhandled``, ``{"errorType": <class name>, "errorMessage": ...}``)
   so Retry/Catch see the same error names as on AWS. The function must still exist in moto
   (``create_lambda``) so the ARN in the definition resolves.
   moto runs executions on a thread; poll ``describe_execution``. Always pass ``name=`` to
   ``start_execution`` (moto names unnamed executions "None").
"""

from __future__ import annotations

import contextlib
import io
import json
import time
import traceback
import zipfile
from collections.abc import Callable
from unittest import mock

# --------------------------------------------------------------------------------------
# 1. a minimal ASL walker
# --------------------------------------------------------------------------------------


def _get(doc, path: str):
    if path == "$":
        return doc
    cur = doc
    for part in path[2:].split("."):
        cur = cur[part]
    return cur


def _set(doc: dict, path: str | None, value) -> dict:
    if path is None:
        return doc
    if path == "$":
        return value
    out = json.loads(json.dumps(doc))
    cur = out
    parts = path[2:].split(".")
    for part in parts[:-1]:
        cur = cur.setdefault(part, {})
    cur[parts[-1]] = value
    return out


def _params(template, doc):
    if isinstance(template, dict):
        return {
            (k.removesuffix(".$")): (_get(doc, v) if k.endswith(".$") else _params(v, doc))
            for k, v in template.items()
        }
    return template


def _matches(names: list[str], error: str) -> bool:
    return (
        "States.ALL" in names
        or error in names
        or (error != "States.Runtime" and "States.TaskFailed" in names)
    )


class AslFailed(Exception):
    def __init__(self, error: str, cause: str):
        super().__init__(f"{error}: {cause}")
        self.error, self.cause = error, cause


def walk(
    definition: dict,
    invoke: Callable[[str, dict], dict],
    doc: dict,
    read_items: Callable[[str, str], list] | None = None,
    trace: list | None = None,
) -> dict:
    """Run ``definition`` on ``doc``; ``invoke(resource, payload)`` runs a Task.
    Returns the final document; raises ``AslFailed`` at a Fail state."""
    trace = trace if trace is not None else []
    states, name = definition["States"], definition["StartAt"]
    while True:
        state = states[name]
        trace.append(name)
        kind = state["Type"]
        if kind == "Succeed":
            return doc
        if kind == "Fail":
            raise AslFailed(state.get("Error", "States.Fail"), state.get("Cause", ""))
        if kind == "Choice":
            name = next(
                (
                    c["Next"]
                    for c in state["Choices"]
                    if _get(doc, c["Variable"]) == c.get("StringEquals", object())
                ),
                state["Default"],
            )
            continue
        try:
            if kind == "Task":
                payload = _params(state.get("Parameters"), doc)
                result = _retrying(state, lambda s=state, p=payload: invoke(s["Resource"], p))
            elif kind == "Map":
                if "ItemReader" in state:
                    p = _params(state["ItemReader"]["Parameters"], doc)
                    items = read_items(p["Bucket"], p["Key"])
                else:
                    items = _get(doc, state["ItemsPath"])
                result = [walk(state["ItemProcessor"], invoke, item, read_items, trace) for item in items]
            else:
                raise ValueError(f"walker does not support {kind}")
        except AslFailed as exc:
            error, cause = exc.error, exc.cause
        except Exception as exc:  # noqa: BLE001 - turned into a Catch like Step Functions does
            error = type(exc).__name__
            cause = json.dumps({"errorType": error, "errorMessage": str(exc)})
        else:
            doc = _set(doc, state.get("ResultPath", "$"), result)
            if state.get("End"):
                return doc
            name = state["Next"]
            continue
        catcher = next((c for c in state.get("Catch", []) if _matches(c["ErrorEquals"], error)), None)
        if catcher is None:
            raise AslFailed(error, cause)
        doc = _set(doc, catcher.get("ResultPath", "$"), {"Error": error, "Cause": cause})
        name = catcher["Next"]


def _retrying(state: dict, call: Callable[[], dict]) -> dict:
    attempts: dict[int, int] = {}
    while True:
        try:
            return call()
        except Exception as exc:
            rule = next(
                (
                    i
                    for i, r in enumerate(state.get("Retry", []))
                    if _matches(r["ErrorEquals"], type(exc).__name__)
                ),
                None,
            )
            if rule is None:
                raise
            attempts[rule] = attempts.get(rule, 0) + 1
            if attempts[rule] >= state["Retry"][rule].get("MaxAttempts", 3):
                raise


# --------------------------------------------------------------------------------------
# 2. moto's engine, Lambda invoked in-process
# --------------------------------------------------------------------------------------


def create_lambda(session, function_name: str, region: str = "eu-west-1") -> str:
    """A placeholder function in moto so the state machine's ARN resolves; returns its ARN."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("handler.py", "def lambda_handler(event, context):\n    return event\n")
    iam = session.client("iam", region_name=region)
    with contextlib.suppress(iam.exceptions.EntityAlreadyExistsException):
        iam.create_role(
            RoleName="sfn-local-lambda",
            AssumeRolePolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "lambda.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            ),
        )
    role = iam.get_role(RoleName="sfn-local-lambda")["Role"]["Arn"]
    return session.client("lambda", region_name=region).create_function(
        FunctionName=function_name,
        Runtime="python3.11",
        Role=role,
        Handler="handler.lambda_handler",
        Code={"ZipFile": buf.getvalue()},
    )["FunctionArn"]


@contextlib.contextmanager
def lambda_in_process(handlers: dict[str, Callable[[dict, object], object]], context_factory=None):
    """Patch moto so invoking function ``name`` (or its ARN) calls ``handlers[name](event, ctx)``."""
    from moto.awslambda.models import LambdaBackend

    original = LambdaBackend.invoke

    def invoke(self, function_name, qualifier, body, headers, response_headers):
        name = function_name.split(":function:")[-1].split(":")[0]
        handler = handlers.get(name)
        if handler is None:
            return original(self, function_name, qualifier, body, headers, response_headers)
        event = json.loads(body) if body else {}
        try:
            result = handler(event, context_factory() if context_factory else None)
            payload = json.dumps(result)
        except Exception as exc:  # noqa: BLE001 - Lambda's envelope for an unhandled error
            response_headers["x-amz-function-error"] = "Unhandled"
            payload = json.dumps(
                {
                    "errorType": type(exc).__name__,
                    "errorMessage": str(exc),
                    "stackTrace": traceback.format_exception(exc)[-3:],
                }
            )
        response_headers["Content-Length"] = str(len(payload))
        return payload.encode()

    with mock.patch.object(LambdaBackend, "invoke", invoke):
        yield


def wait_for(sfn, execution_arn: str, timeout_s: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout_s
    while True:
        out = sfn.describe_execution(executionArn=execution_arn)
        if out["status"] != "RUNNING" or time.monotonic() > deadline:
            return out
        time.sleep(0.05)
