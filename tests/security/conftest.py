"""The moto-backed fixtures of the integration suite (one moto account per test)."""

from tests.integration.conftest import aws, cameras, function_env  # noqa: F401
