"""One construct per concern; :class:`infra.stack.AnprStack` composes them.

Construct ids are the spec ids (``ReadsStore/Reads``, ``Ingest/IngestDlq``,
``Functions/Ingest/Handler``...), and :class:`Registry` maps a spec entry to the
CloudFormation logical id it became (``tests/infra/test_template_matches_spec.py``).
"""

from infra.constructs.acknowledge import acknowledge
from infra.constructs.alerts import Alerts
from infra.constructs.api import ApiAuth
from infra.constructs.functions import Functions
from infra.constructs.ingest import Ingest
from infra.constructs.keys import DataKeys
from infra.constructs.monitoring import Monitoring
from infra.constructs.reads_store import ReadsStore
from infra.constructs.registry import Registry
from infra.constructs.schedules import Schedules
from infra.constructs.search import Search

__all__ = [
    "Alerts",
    "ApiAuth",
    "DataKeys",
    "Functions",
    "Ingest",
    "Monitoring",
    "ReadsStore",
    "Registry",
    "Schedules",
    "Search",
    "acknowledge",
]
