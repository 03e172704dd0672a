"""Inspection checks. Each module registers its checks with :func:`base.register`; ``InspectionConfig.ready``
loads them, and so does the engine when it runs without Django (the CLI and the benchmark)."""

from __future__ import annotations

import importlib

BUILTIN_MODULES = (
    "availability",
    "links",
    "freshness",
    "typos",
    "structure",
    "interaction",
    "interpretation",
    "guide",
)


def load_builtin_checks() -> None:
    for name in BUILTIN_MODULES:
        importlib.import_module(f"{__name__}.{name}")
