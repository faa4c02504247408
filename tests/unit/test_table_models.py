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


@pytest.mark.parametrize(
    ("factory", "table_id"),
    [
        (reads_model, "Reads"),
        (cameras_model, "Cameras"),
        (searches_model, "Searches"),
        (watchlist_model, "Watchlist"),
        (alerts_models, "Alerts"),
    ],
)
def test_each_model_has_the_keys_and_indexes_its_spec_table_declares(factory, table_id):
    from anpr.kernel.platform import table

    # GIVEN the spec's table and the PynamoDB model that reaches it
    spec = table(table_id)
    built = factory(f"t-{table_id}", "eu-west-1")
    model = built[0] if isinstance(built, tuple) else built
    # THEN the model's hash/range keys are the spec's
    attrs = model.get_attributes()
    assert next(n for n, a in attrs.items() if a.is_hash_key) == spec.partition_key.name
    range_keys = [n for n, a in attrs.items() if a.is_range_key]
    assert range_keys == ([spec.sort_key.name] if spec.sort_key else [])
    # AND every index the model queries is declared, with the same keys
    declared = {i.name: i for i in spec.indexes}
    for index in model._indexes.values():
        meta = index.Meta
        assert meta.index_name in declared, f"{table_id}: {meta.index_name} not in the spec"
        spec_index = declared[meta.index_name]
        hash_name = next(a.attr_name for a in meta.attributes.values() if a.is_hash_key)
        range_name = [a.attr_name for a in meta.attributes.values() if a.is_range_key]
        assert hash_name == spec_index.partition_key.name
        assert range_name == ([spec_index.sort_key.name] if spec_index.sort_key else [])
