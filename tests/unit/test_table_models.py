"""Every table's PynamoDB model is cached per (table, region, endpoint)."""

import pytest
from anpr.alerts.store import alerts_models
from anpr.alerts.watchlist import watchlist_model
from anpr.kernel.db import cameras_model, reads_model
from anpr.search.repository import searches_model


@pytest.mark.parametrize(
    "factory", [reads_model, cameras_model, searches_model, watchlist_model, alerts_models]
)
def test_a_new_endpoint_gets_a_new_model_and_the_same_endpoint_the_cached_one(factory, monkeypatch):
    # GIVEN a model built against one local cloud
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1111")
    first = factory("t", "eu-west-1")
    # WHEN asked again there, and then against another local cloud
    again = factory("t", "eu-west-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:2222")
    other = factory("t", "eu-west-1")
    # THEN the same endpoint reuses the model, another endpoint never does
    assert again is first and other is not first
    model = other[0] if isinstance(other, tuple) else other
    assert model.Meta.host == "http://127.0.0.1:2222"
