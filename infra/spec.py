"""The platform's resources are declared once, in ``anpr.spec`` (shared with the functions
and the local runtime); this module re-exports it for the CDK app."""

from anpr.spec import *
from anpr.spec import ROOT, env_var_for  # noqa: F401
