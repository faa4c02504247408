"""Retrospective search: jobs on Step Functions over the reads table (docs/search.md).

Roles (decision, docs/search.md "Who may search"): investigators (judicial police) submit,
follow, read and cancel their own searches; supervisors may read any search's status and
results for oversight — every read audited — but never submit or cancel. Other roles have
no search endpoint.
"""

from anpr.accountability.spec import AUDIT_WRITER_USES
from anpr.kernel.spec import (
    Attribute as S,
)
from anpr.kernel.spec import (
    BucketSpec,
    FunctionSpec,
    Index,
    SpecPart,
    StateMachineSpec,
    TableSpec,
    TopicSpec,
    Use,
    api_function,
    routes,
)

SUBMIT = ("investigator",)
READ = ("investigator", "supervisor")

PART = SpecPart(
    tables=(
        # job state; expires with the reads it describes (TTL = submitted + retention)
        TableSpec(
            id="Searches",
            partition_key=S("job_id"),
            # "my searches" and the per-user daily cost bound: owner, newest first
            indexes=(Index("byOwner", S("owner_id"), S("submitted_sk")),),  # {submitted_ms:013d}
            ttl_attribute="expires_at",
        ),
    ),
    buckets=(
        # parts, merged results and exports (CSV/GeoJSON/KML/HTML/PNG): personal data, plates key
        BucketSpec(id="SearchResults"),
    ),
    topics=(TopicSpec(id="SearchEvents"),),  # "your search finished" (no plates in the message)
    functions=(
        api_function(
            "SearchApi",
            "search_api",
            uses=(
                Use("table", "Searches", "read_write"),
                Use("table", "Cameras", "read"),  # the cost estimate of zone and area searches
                Use("bucket", "SearchResults", "read"),  # result pages and presigned downloads
                Use("bucket", "Snapshots", "read"),  # a result read's overview image, on demand
                # the crop keys of a results page's reads (BatchGetItem by key, crop_key only)
                Use("table", "Reads", "read"),
                Use("state_machine", "Search", "start"),
                *AUDIT_WRITER_USES,  # search.submitted / results_viewed / results_downloaded
            ),
        ),
        FunctionSpec(
            id="SearchTask",
            code="search_task",
            memory_mb=1769,  # one full vCPU: the partition scan is CPU-bound once data arrives
            timeout_s=300,
            reserved_concurrency=300,  # upper bound: one Map's width; the ASL retries throttles
            uses=(
                Use("table", "Reads", "read"),
                Use("table", "Cameras", "read"),
                Use("table", "Searches", "read_write"),
                Use("bucket", "Snapshots", "read"),  # plate crops in the HTML export
                Use("bucket", "SearchResults", "read_write"),
                Use("topic", "SearchEvents", "publish"),
            ),
        ),
    ),
    state_machines=(
        StateMachineSpec(
            id="Search",
            definition_file="search.asl.json",
            function_substitutions={"SearchTaskArn": "SearchTask"},
            # the Distributed Map's ItemReader reads plan.json from the results bucket
            uses=(Use("bucket", "SearchResults", "read"),),
        ),
    ),
    routes=(
        *routes("SearchApi", SUBMIT, "POST /searches"),
        # cost and age rule before submitting: reads no plate read, returns nothing personal
        *routes("SearchApi", SUBMIT, "POST /searches/estimate", personal_data=False),
        *routes(
            "SearchApi",
            READ,
            "GET /searches",  # own jobs; supervisors: all
            "GET /searches/{id}",
            # each row with its plate crop (presigned); one audit record per page, listing them
            "GET /searches/{id}/results",
            # one result read's overview image (snapshot), each view audited with the plate
            "GET /searches/{id}/reads/{read_id}/image",
        ),
        *routes("SearchApi", SUBMIT, "DELETE /searches/{id}"),
    ),
)
