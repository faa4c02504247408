"""Core REST API: the camera registry. Routes: anpr.reads.api; roles: anpr.ingest.spec."""

from anpr.kernel.http import ApiFunction, Lazy
from anpr.reads.api import router
from anpr.reads.wiring import core_api_services

function = ApiFunction([router], Lazy(core_api_services))
lambda_handler = function.lambda_handler
