"""Alerts REST API: watchlist management and the patrol feed. Routes: anpr.alerts.api; roles: anpr.alerts.spec."""

from anpr.alerts.api import router
from anpr.alerts.wiring import api_services
from anpr.kernel.http import ApiFunction, Lazy

function = ApiFunction([router], Lazy(api_services))
lambda_handler = function.lambda_handler
