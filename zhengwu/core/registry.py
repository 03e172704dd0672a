"""Registries that later apps extend from their AppConfig.ready(): set-up steps run by ``zhengwu setup`` and demo
steps run by ``zhengwu demo``. Registering in one place lets a new app take part without editing core."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO


@dataclass(frozen=True)
class Step:
    order: int
    name: str
    func: Callable[..., Any]


_setup_steps: dict[str, Step] = {}
_demo_steps: dict[str, Step] = {}
_demo_accounts: dict[str, tuple[str, str, str, str]] = {}


def setup_step(order: int, name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register an idempotent installation step (load rule data, seed the calendar, sync roles)."""

    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        _setup_steps[name] = Step(order, name, func)
        return func

    return register


def demo_step(order: int, name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a step of the demo county; it receives a :class:`DemoContext`."""

    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        _demo_steps[name] = Step(order, name, func)
        return func

    return register


def register_demo_accounts(rows: list[tuple[str, str, str, str]]) -> None:
    """Declare staff accounts an app's demo step creates — (username, display name, role code, org short code) —
    so that ``zhengwu demo`` prints every login, not only core's."""
    for row in rows:
        _demo_accounts[row[0]] = row


def registered_demo_accounts() -> list[tuple[str, str, str, str]]:
    return list(_demo_accounts.values())


def setup_steps() -> list[Step]:
    return sorted(_setup_steps.values(), key=lambda s: (s.order, s.name))


def demo_steps() -> list[Step]:
    return sorted(_demo_steps.values(), key=lambda s: (s.order, s.name))


@dataclass
class DemoAccount:
    username: str
    password: str
    role: str
    organization: str


@dataclass
class DemoContext:
    """What demo steps share: a seeded random generator (so the county is the same every time), the objects made
    by earlier steps, and the accounts to print."""

    stdout: TextIO | None = None
    seed: int = 20261122
    scale: float = 1.0  # volume of generated content; tests build a smaller county
    rng: random.Random = field(init=False)
    objects: dict[str, Any] = field(default_factory=dict)
    accounts: list[DemoAccount] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def log(self, message: str) -> None:
        if self.stdout is not None:
            self.stdout.write(message + "\n")
