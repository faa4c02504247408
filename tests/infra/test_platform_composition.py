"""The spec's composition (anpr.kernel.platform) lists its concerns by name and fails loudly:
a missing concern module, an id declared twice, grants for a function nobody declares."""

from __future__ import annotations

import importlib.util
import sys

import pytest
from anpr.kernel import platform
from anpr.kernel.spec import Attribute, FunctionSpec, SpecPart, TableSpec, Use


def test_the_concerns_are_named_and_each_is_its_packages_part():
    assert list(platform.CONCERNS) == ["Ingest", "Accountability", "Alerts", "Search", "Networks", "Live"]
    for name, part in platform.CONCERNS.items():
        declared = importlib.import_module(f"anpr.{name.lower()}.spec").PART
        assert [t.id for t in part.tables] == [t.id for t in declared.tables]
        assert [f.id for f in part.functions] == [f.id for f in declared.functions]


def test_a_missing_concern_module_fails_the_import(monkeypatch):
    # GIVEN one concern's spec module cannot be imported
    monkeypatch.setitem(sys.modules, "anpr.live.spec", None)
    spec = importlib.util.spec_from_file_location("platform_without_live", platform.__file__)
    # WHEN the composition is imported THEN it fails, naming the module
    with pytest.raises(ImportError, match=r"anpr\.live\.spec"):
        spec.loader.exec_module(importlib.util.module_from_spec(spec))


def test_an_id_declared_by_two_concerns_is_refused():
    table = TableSpec("Reads", Attribute("pk"))
    with pytest.raises(ValueError, match=r"tables declared twice: \['Reads'\]"):
        platform._check({"A": SpecPart(tables=(table,)), "B": SpecPart(tables=(table,))})


def test_grants_for_an_undeclared_function_are_refused():
    part = SpecPart(extra_uses={"Nobody": (Use("table", "Reads", "read"),)})
    with pytest.raises(ValueError, match=r"anpr\.a\.spec: extra_uses for undeclared functions \['Nobody'\]"):
        platform._check({"A": part, "B": SpecPart(functions=(FunctionSpec("Somebody", code="x"),))})


def test_extra_uses_land_on_the_function_once():
    use = Use("table", "Reads", "read")
    concerns = {
        "A": SpecPart(functions=(FunctionSpec("F", code="x"),), extra_uses={"F": (use,)}),
        "B": SpecPart(extra_uses={"F": (use,)}),
    }
    (f,) = platform._with_extra_uses(concerns)["A"].functions
    assert f.uses == (use,)
    # the platform's own: the ingest function holds the grants other concerns add to it
    ingest = platform.function("Ingest")
    assert Use("table", "Watchlist", "read") in ingest.uses and len(set(ingest.uses)) == len(ingest.uses)


def test_a_route_without_roles_is_a_network_key_route_and_only_that():
    from anpr.kernel.spec import RouteSpec

    with pytest.raises(ValueError, match="a Cognito route needs at least one role"):
        RouteSpec("GET", "/x", "F", roles=())
    with pytest.raises(ValueError, match="a network-key route has no roles and shows no personal data"):
        RouteSpec("POST", "/x", "F", roles=("ops",), personal_data=False, auth="network_key")
    with pytest.raises(ValueError, match="a network-key route has no roles and shows no personal data"):
        RouteSpec("POST", "/x", "F", roles=(), auth="network_key")  # personal_data defaults to True
    assert RouteSpec("POST", "/x", "F", roles=(), personal_data=False, auth="network_key").roles == ()
