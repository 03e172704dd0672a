"""Chinese names of audit actions (``rules/audit_actions.json``): the log stores stable codes such as
``disclosure.request.extend``; people read 依申请公开：延期."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

RULES = Path(__file__).resolve().parent / "rules" / "audit_actions.json"


@lru_cache(maxsize=1)
def _vocabulary() -> tuple[dict[str, str], dict[str, str]]:
    data = json.loads(RULES.read_text(encoding="utf-8"))
    return data["subjects"], data["verbs"]


def action_label(code: str) -> str:
    """``subject：verb`` by the longest known subject prefix; the code itself where a part has no name yet."""
    subjects, verbs = _vocabulary()
    parts = (code or "").split(".")
    for cut in range(len(parts) - 1, 0, -1):
        subject = subjects.get(".".join(parts[:cut]))
        if subject is None:
            continue
        verb = ".".join(parts[cut:])
        return f"{subject}：{verbs[verb]}" if verb in verbs else code
    return code
