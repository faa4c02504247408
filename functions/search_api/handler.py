"""Search REST API. Routes: anpr.search.api; roles: anpr.search.spec."""

from anpr.kernel.http import ApiFunction, Lazy
from anpr.search.api import router
from anpr.search.wiring import api_services

function = ApiFunction([router], Lazy(api_services))
lambda_handler = function.lambda_handler
