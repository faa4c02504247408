"""The search state machine's task: one function, a ``step`` per state (anpr.search.workflow).

Input is what infra/statemachines/search.asl.json passes: ``{"step": "validate"|"plan"|"merge"|
"export"|"finish"|"fail", "job_id": ...}`` or ``{"step": "query", "item": {...}}``. Errors are
raised, not returned: Step Functions retries (StorageError) or catches them (SearchRejected,
SearchCancelled...) by the exception's class name.
"""

from anpr.kernel.http import Lazy
from anpr.kernel.observability import instrumented, logger
from anpr.search.wiring import task_services

services = Lazy(task_services)


def handle(event: dict, context) -> dict:
    logger.append_keys(
        step=event.get("step"), job_id=event.get("job_id") or (event.get("item") or {}).get("job_id")
    )
    return services().workflow.dispatch(event)


lambda_handler = instrumented(handle)
