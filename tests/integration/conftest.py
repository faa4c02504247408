"""moto-backed fixtures: the spec's resources, created the way the local runtime does."""

import importlib.util
import sys

import boto3
import pytest
from anpr.kernel.clock import fixed
from anpr.reads.cameras import DynamoCameraRegistry
from moto import mock_aws

from infra.stages import stage
from local.resources import REGION, provision
from tests.helpers import NOW_MS, camera


def load_handler(code: str):
    """Import functions/<code>/handler.py under a unique module name."""
    from anpr.kernel.platform import ROOT

    name = f"handler_{code}"
    spec_ = importlib.util.spec_from_file_location(name, ROOT / "functions" / code / "handler.py")
    module = importlib.util.module_from_spec(spec_)
    sys.modules[name] = module
    spec_.loader.exec_module(module)
    return module


@pytest.fixture
def aws(monkeypatch):
    with mock_aws():
        session = boto3.Session(region_name=REGION)
        prov = provision(session, prefix="anpr-test")
        yield prov


@pytest.fixture
def function_env(aws, monkeypatch):
    """Put one function's env (as the CDK factory would) into os.environ."""

    def apply(fn_id: str):
        from anpr.kernel import platform as spec

        for k, v in aws.function_env(spec.function(fn_id), stage("local")).items():
            monkeypatch.setenv(k, v)

    return apply


@pytest.fixture
def rest_function(function_env):
    """A REST function's handler (``functions/<code>``): its env set as the CDK factory would,
    then the services ``build`` makes from it injected, on the pinned test clock."""

    def load(fn_id: str, code: str, build):
        function_env(fn_id)
        handler = load_handler(code)
        handler.function.services.use(build(clock=fixed(NOW_MS)))
        return handler

    return load


@pytest.fixture
def cameras(aws):
    reg = DynamoCameraRegistry(aws.name("table", "Cameras"), REGION)
    reg.put_many([camera("BRU-001"), camera("BRU-OLD", status="retired")])
    return reg
