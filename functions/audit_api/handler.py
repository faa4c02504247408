"""Accountability REST API. Routes: anpr.accountability.api; roles: anpr.accountability.spec."""

from anpr.accountability.api import router
from anpr.accountability.wiring import audit_api_services
from anpr.kernel.http import ApiFunction, Lazy

function = ApiFunction([router], Lazy(audit_api_services))
lambda_handler = function.lambda_handler
