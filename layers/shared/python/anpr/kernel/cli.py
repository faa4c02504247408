"""The ``anpr`` command. Each feature registers its own subcommands from its own module."""

from __future__ import annotations

import argparse
import importlib
import sys

#: modules exposing ``register(subparsers)``; a feature adds itself here
COMMAND_MODULES = (
    "anpr.ocr.cli",
    "anpr.alerts.cli",
    "anpr.search.cli",
    "anpr.accountability.cli",
    "anpr.networks.cli",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="anpr", description="National ANPR platform tools")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:  # a real missing dependency inside the module: surface it
                raise
            continue
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
