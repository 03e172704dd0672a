"""Audit actions are shown with Chinese names: every action code written by the code has one, and the audit log
list shows it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from zhengwu.core.audit_labels import action_label

SOURCE = Path(__file__).resolve().parents[2]
LITERAL = re.compile(r'action="([a-z_0-9]+(?:\.[a-z_0-9]+)+)"')
# Codes built at run time: the prefix, and the verbs passed to the helper that builds them.
DYNAMIC = {
    "core.dispatch": "dispatch sign accept return reassign extend answer review redo callback finish urge merge invalid",
    "disclosure.request": "register submit extend request_correction receive_correction end_consultation "
    "extension_requested query_code_reissued",
    "interaction.hotline": "dispatch answer merge invalid",
    "disclosure.theme": "create update",
    "disclosure.genre": "create update",
}


def source_codes() -> set[str]:
    codes = set()
    for path in SOURCE.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        codes |= set(LITERAL.findall(path.read_text(encoding="utf-8")))
    return codes


def test_every_action_in_the_code_has_a_chinese_name():
    codes = source_codes() | {
        f"{prefix}.{verb}" for prefix, verbs in DYNAMIC.items() for verb in verbs.split()
    }
    assert len(codes) > 90
    unnamed = []
    for code in sorted(codes):
        label = action_label(code)
        if label == code or re.search(r"[A-Za-z]", label.replace("Open311", "")):
            unnamed.append(f"{code} → {label}")
    assert not unnamed, "\n".join(unnamed)
    assert action_label("disclosure.request.extend") == "依申请公开：延期"
    assert action_label("portal.search.hot_query.hide") == "热门搜索词：隐藏"
    assert action_label("unknown.thing") == "unknown.thing"  # shown as stored, never invented


@pytest.mark.django_db
def test_audit_log_list_shows_chinese_action_names(client, make_staff):
    from django.contrib.auth.models import Permission

    from zhengwu.core.services.audit import audit

    audit(actor=None, action="disclosure.request.extend", detail={"days": 20})
    auditor = make_staff("shenji")
    auditor.user_permissions.add(
        Permission.objects.get(codename="view_auditlog"), Permission.objects.get(codename="access_admin")
    )
    client.force_login(auditor)
    html = client.get("/admin/audit-log/").content.decode()
    assert "依申请公开：延期" in html
    assert ">disclosure.request.extend<" not in html
