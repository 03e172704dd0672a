"""审计日志: the chain, the append-only triggers, tampering found by ``zhengwu audit verify``, the admin list."""

from __future__ import annotations

import hashlib
import io
import json
import re
import threading
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from importlib import import_module

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test import RequestFactory, TestCase
from django.urls import NoReverseMatch, reverse

from zhengwu.core.models import AuditChainHead, AuditLog
from zhengwu.core.services.audit import GENESIS_HASH, audit, client_ip, verify_chain, verify_chain_report

triggers = import_module("zhengwu.core.migrations.0002_audit_append_only")

requires_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="需要 PostgreSQL：并发追加的行锁只能在真实的多连接数据库上验证（设置 DATABASE_URL=postgres://… 后运行）",
)


@contextmanager
def direct_database_access():
    """What an attacker with database access does first: lift the append-only triggers."""
    triggers.remove_triggers(connection)
    try:
        yield
    finally:
        triggers.install_triggers(connection)


def make_rows(n: int, staff=None, org=None) -> list[AuditLog]:
    """Append ``n`` rows in one transaction and commit it (the test's own transaction stands in for the commit)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return [
            audit(actor=staff, action=f"core.test.step{i}", target=org, detail={"step": i, "名称": "测试"})
            for i in range(1, n + 1)
        ]


def run_verify() -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit", "verify", stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


# ---------------------------------------------------------------------------------------------------------------
# Appending
# ---------------------------------------------------------------------------------------------------------------


def test_rows_chain_and_verify(make_org, make_staff, django_capture_on_commit_callbacks):
    org = make_org("示范县发展和改革委员会")
    staff = make_staff("zhangsan", organization=org, display_name="张三")
    with django_capture_on_commit_callbacks(execute=True):
        first = audit(actor=staff, action="core.test", target=org, detail={"n": 1})
        second = audit(actor=None, action="core.test", target=org)
    assert (first.seq, second.seq) == (1, 2)
    assert first.prev_hash == GENESIS_HASH and second.prev_hash == first.hash
    assert first.actor_label == "张三（zhangsan）" and second.actor_label == "系统"
    assert first.organization_id_snapshot == org.pk
    assert first.target_type == "core.organization" and first.target_id == str(org.pk)
    assert first.target_label == "示范县发展和改革委员会"
    head = AuditChainHead.objects.get()
    assert (head.last_seq, head.last_hash) == (2, second.hash)
    assert verify_chain() is None
    code, out, _ = run_verify()
    assert code == 0 and out.strip() == "审计日志完整：共 2 条记录。"


def test_head_moves_once_per_transaction(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            with pytest.raises(RuntimeError), transaction.atomic():
                audit(actor=None, action="core.test.rolled_back")
                raise RuntimeError
            rows = [audit(actor=None, action=f"core.test.bulk{i}") for i in range(5)]
            # Inside the transaction the head moved only for its first surviving append.
            assert AuditChainHead.objects.get().last_seq == 1
    assert len(callbacks) == 1
    assert [r.seq for r in rows] == [1, 2, 3, 4, 5]
    head = AuditChainHead.objects.get()
    assert (head.last_seq, head.last_hash) == (5, rows[-1].hash)
    assert verify_chain_report().rows == 5 and verify_chain() is None


def test_rows_after_a_lagging_head_are_accepted_when_genuine(db):
    # A worker that died between its commit and the head update leaves the head behind; the rows still verify.
    rows = [audit(actor=None, action=f"core.test.lag{i}") for i in range(4)]
    assert AuditChainHead.objects.get().last_seq == 1
    report = verify_chain_report()
    assert report.ok and report.rows == 4
    assert rows[-1].seq == 4


def test_empty_log_verifies(db):
    code, out, _ = run_verify()
    assert code == 0 and out.strip() == "审计日志完整：共 0 条记录。"


def test_detail_is_stored_canonically_and_verifies_after_reload(db):
    detail = {
        "z": [3, 2, 1],
        "a": {"嵌套": True, "b": None},
        "day": date(2025, 5, 14),
        "fee": Decimal("12.50"),
        "ratio": 0.25,
        "whole": 2.0,
        "big": 1e20,
        "nul": "a\x00b",
    }
    entry = audit(actor=None, action="core.test.detail", detail=detail)
    stored = AuditLog.objects.get(pk=entry.pk).detail
    assert stored["day"] == "2025-05-14" and stored["fee"] == "12.50"
    assert stored["whole"] == 2 and stored["big"] == 10**20 and stored["nul"] == "ab"
    assert verify_chain() is None


def test_refuses_detail_that_cannot_be_hashed(db):
    with pytest.raises(ValueError, match="NaN"):
        audit(actor=None, action="core.test", detail={"x": float("nan")})
    assert not AuditLog.objects.exists()


def test_actor_label_is_a_snapshot(make_staff):
    staff = make_staff("wangwu", display_name="王五")
    entry = audit(actor=staff, action="core.test")
    staff.display_name = "王小五"
    staff.username = "wangxiaowu"
    staff.save()
    entry = AuditLog.objects.get(pk=entry.pk)
    assert entry.actor_label == "王五（wangwu）" and entry.actor_id == staff.pk
    assert verify_chain() is None


def test_ip_address_comes_from_the_request(db, settings):
    rf = RequestFactory()
    public = audit(actor=None, action="core.test", request=rf.get("/", REMOTE_ADDR="203.0.113.9"))
    assert public.ip_address == "203.0.113.9" and public.actor_label == "公众"
    settings.ZHENGWU_PROXY_HEADER = (
        "X-Forwarded-For"  # the layout behind a proxy; direct is tested in test_ratelimit
    )
    proxied = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.9.9.9, 198.51.100.4")
    assert audit(actor=None, action="core.test", request=proxied).ip_address == "198.51.100.4"
    mapped = rf.get("/", REMOTE_ADDR="::ffff:203.0.113.10")
    assert audit(actor=None, action="core.test", request=mapped).ip_address == "203.0.113.10"
    # Our proxy list decides whom to believe: a direct client's header is ignored.
    assert (
        client_ip(rf.get("/", REMOTE_ADDR="203.0.113.11", HTTP_X_FORWARDED_FOR="1.2.3.4")) == "203.0.113.11"
    )
    settings.ZHENGWU_TRUSTED_PROXIES = ["10.0.0.0/8"]
    chained = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.20, 10.0.0.5")
    assert client_ip(chained) == "198.51.100.20"
    ipv6 = audit(actor=None, action="core.test", request=rf.get("/", REMOTE_ADDR="2001:DB8::1"))
    assert AuditLog.objects.get(pk=ipv6.pk).ip_address == "2001:db8::1"
    assert verify_chain() is None


def test_audit_row_rolls_back_with_the_callers_work(db):
    audit(actor=None, action="core.test.kept")
    with pytest.raises(RuntimeError), transaction.atomic():
        audit(actor=None, action="core.test.lost")
        raise RuntimeError
    entry = audit(actor=None, action="core.test.next")
    assert entry.seq == 2
    assert list(AuditLog.objects.order_by("seq").values_list("action", flat=True)) == [
        "core.test.kept",
        "core.test.next",
    ]
    assert verify_chain() is None


# ---------------------------------------------------------------------------------------------------------------
# Append-only triggers
# ---------------------------------------------------------------------------------------------------------------


def test_triggers_refuse_update_and_delete(db):
    make_rows(3)
    assert triggers.installed_triggers(connection)
    attempts = [
        lambda: AuditLog.objects.filter(seq=2).update(action="core.changed"),
        lambda: AuditLog.objects.filter(seq=3).delete(),
        lambda: AuditLog.objects.all().delete(),
    ]
    entry = AuditLog.objects.get(seq=1)
    entry.actor_label = "改过的人"
    attempts.append(lambda: entry.save())
    with connection.cursor() as cursor:
        attempts.append(lambda: cursor.execute("UPDATE core_auditlog SET hash = 'x' WHERE seq = 1"))
        attempts.append(lambda: cursor.execute("DELETE FROM core_auditlog WHERE seq = 1"))
        if connection.vendor == "postgresql":
            attempts.append(lambda: cursor.execute("TRUNCATE core_auditlog"))
        for attempt in attempts:
            with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
                attempt()
    assert AuditLog.objects.count() == 3
    assert verify_chain() is None


def test_triggers_are_back_after_a_flush(transactional_db):
    # The test runner empties the database between transactional tests through our flush command.
    make_rows(2)
    call_command("flush", interactive=False, verbosity=0)
    assert AuditLog.objects.count() == 0
    assert triggers.installed_triggers(connection)
    make_rows(1)
    with pytest.raises(IntegrityError):
        AuditLog.objects.all().delete()
    assert verify_chain() is None


# ---------------------------------------------------------------------------------------------------------------
# Tampering, found and named
# ---------------------------------------------------------------------------------------------------------------

FIELD_CHANGES = {
    "created_at": lambda e: e.created_at + timedelta(seconds=1),
    "actor_id": lambda e: 999_999,
    "actor_label": lambda e: "李四",
    "action": lambda e: "core.test.other",
    "target_type": lambda e: "core.staff",
    "target_id": lambda e: "42",
    "target_label": lambda e: "别的对象",
    "organization_id_snapshot": lambda e: 77,
    "ip_address": lambda e: "198.51.100.99",
    "detail": lambda e: {"step": 99, "名称": "测试"},
    "prev_hash": lambda e: "f" * 64,
    "hash": lambda e: "e" * 64,
}


@pytest.mark.parametrize("field", sorted(FIELD_CHANGES))
def test_any_altered_field_is_named(field, make_org, make_staff):
    org = make_org()
    rows = make_rows(5, staff=make_staff(organization=org), org=org)
    victim = rows[2]
    with direct_database_access():
        AuditLog.objects.filter(pk=victim.pk).update(**{field: FIELD_CHANGES[field](victim)})
    problem = verify_chain()
    assert problem is not None and problem.seq == 3 and problem.kind == "altered", problem
    code, _, err = run_verify()
    assert code == 1
    assert "第 3 条审计记录校验失败" in err


def test_deleted_middle_row_is_named(db):
    make_rows(6)
    with direct_database_access():
        AuditLog.objects.filter(seq=4).delete()
    problem = verify_chain()
    assert (problem.seq, problem.kind) == (4, "missing")
    code, _, err = run_verify()
    assert code == 1 and "第 4 条审计记录缺失" in err


def test_deleted_last_rows_are_named(db):
    make_rows(6)
    with direct_database_access():
        AuditLog.objects.filter(seq__gte=5).delete()
    problem = verify_chain()
    assert (problem.seq, problem.kind) == (5, "truncated")
    code, _, err = run_verify()
    assert code == 1 and "第 5 条至第 6 条审计记录缺失（已从末尾删除）" in err


def test_deleted_last_rows_with_the_head_rewound_is_noticed(db):
    rows = make_rows(6)
    with direct_database_access():
        AuditLog.objects.filter(seq__gte=5).delete()
        AuditChainHead.objects.update(last_seq=4, last_hash=rows[3].hash)
    problem = verify_chain()
    assert (
        problem.kind == "head" and "链头被改写" in problem.message and "现存记录到第 4 条" in problem.message
    )


def _forge(seq: int, prev_hash: str) -> AuditLog:
    """A row made the way someone without the server's key would: a plain SHA-256 over the fields."""
    forged = AuditLog(
        seq=seq,
        created_at=AuditLog.objects.order_by("-seq").first().created_at,
        actor_label="系统",
        action="core.test.forged",
        detail={},
        prev_hash=prev_hash,
    )
    forged.hash = hashlib.sha256(f"{seq}{prev_hash}".encode()).hexdigest()
    forged.save(force_insert=True)
    return forged


def test_forged_row_appended_is_named(db):
    rows = make_rows(4)
    with direct_database_access():
        _forge(5, rows[-1].hash)
    problem = verify_chain()
    assert (problem.seq, problem.kind) == (5, "forged")
    code, _, err = run_verify()
    assert code == 1 and "第 5 条审计记录是伪造插入的：校验失败，且在审计链头确认的第 4 条之后" in err


def test_forged_row_appended_with_the_head_moved_is_named(db):
    rows = make_rows(4)
    with direct_database_access():
        forged = _forge(5, rows[-1].hash)
        AuditChainHead.objects.update(last_seq=5, last_hash=forged.hash)
    problem = verify_chain()
    assert (problem.seq, problem.kind) == (5, "altered")


def test_forged_row_inserted_in_the_middle_is_named(db):
    rows = make_rows(5)
    with direct_database_access():
        for entry in reversed(rows[2:]):  # make room at seq 3
            AuditLog.objects.filter(pk=entry.pk).update(seq=entry.seq + 1)
        _forge(3, rows[1].hash)
        AuditChainHead.objects.update(last_seq=6)
    problem = verify_chain()
    assert (problem.seq, problem.kind) == (3, "altered")
    code, _, err = run_verify()
    assert code == 1 and "第 3 条审计记录校验失败" in err


def test_recomputed_chain_without_the_key_is_still_refused(db, settings):
    make_rows(3)
    real_key = settings.SECRET_KEY
    # Someone who rewrites the chain with a key of their own (not the server's) gets nothing accepted.
    settings.SECRET_KEY = "attacker-chosen-key-0123456789-abcdefghijklmnopqrstuvwxyz"
    audit(actor=None, action="core.test.rewritten")
    settings.SECRET_KEY = real_key
    problem = verify_chain()
    assert (problem.seq, problem.kind) == (4, "forged")


def test_rows_written_before_a_key_rotation_still_verify(db, settings):
    make_rows(2)
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "the-new-secret-key-after-rotation-0123456789-abcdefghij"
    settings.SECRET_KEY_FALLBACKS = [old_key]
    make_rows(2)
    report = verify_chain_report()
    assert report.ok and report.rows == 4


@requires_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_on_postgres_keep_one_chain():
    threads_count, per_thread = 8, 40
    errors: list[BaseException] = []
    barrier = threading.Barrier(threads_count)

    def worker(index: int) -> None:
        try:
            barrier.wait()
            for i in range(per_thread):
                with transaction.atomic():
                    audit(actor=None, action="core.test.concurrent", detail={"thread": index, "i": i})
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    total = threads_count * per_thread
    assert sorted(AuditLog.objects.values_list("seq", flat=True)) == list(range(1, total + 1))
    report = verify_chain_report()
    assert report.ok and report.rows == total


# ---------------------------------------------------------------------------------------------------------------
# Admin
# ---------------------------------------------------------------------------------------------------------------


def _grant(user, *perms: str) -> None:
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )


@pytest.fixture
def auditor(make_staff):
    user = make_staff("shenji", display_name="审计员")
    _grant(user, "wagtailadmin.access_admin", "core.view_auditlog")
    return user


@pytest.fixture
def rows(make_org, make_staff):
    org = make_org("示范县信访局")
    clerk = make_staff("clerk", organization=org, display_name="办事员")
    audit(actor=clerk, action="disclosure.request.extend", target=org, detail={"days": 20})
    audit(actor=clerk, action="interaction.letter.reply", target=org)
    audit(actor=None, action="core.system.cleanup")
    return clerk


def _sidebar_labels(html: str) -> str:
    """The admin sidebar's menu, which arrives as JSON for the admin's JavaScript, as readable text."""
    match = re.search(
        r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>', html, re.S
    )
    assert match, "no sidebar on the page"
    return json.dumps(json.loads(match.group(1)), ensure_ascii=False)


EXTEND, REPLY, CLEANUP = "依申请公开：延期", "来信：答复", "系统：清理"


def test_auditor_sees_the_list_and_filters(client, auditor, rows):
    client.force_login(auditor)
    url = reverse("core_auditlog:index")
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    # Actions are shown by their Chinese names (rules/audit_actions.json), filtered and searched by code.
    for action in (EXTEND, REPLY, CLEANUP):
        assert action in html
    assert "审计日志" in _sidebar_labels(html)
    assert "export=xlsx" in html and "export=csv" not in html
    assert "/admin/audit-log/new/" not in html and "/admin/audit-log/edit/" not in html
    assert reverse("core_auditlog:inspect", args=[AuditLog.objects.get(seq=1).pk]) in html

    by_action = client.get(url, {"action": "disclosure"}).content.decode()
    assert EXTEND in by_action and REPLY not in by_action
    by_actor = client.get(url, {"actor": rows.pk}).content.decode()
    assert REPLY in by_actor and CLEANUP not in by_actor
    # The 操作人 filter is a text box (a county has thousands of accounts): an account name works too.
    by_username = client.get(url, {"actor": rows.username}).content.decode()
    assert REPLY in by_username and CLEANUP not in by_username
    assert 'name="actor"' in html and "<option" not in html.split('name="actor"', 1)[1].split(">", 1)[0]
    today = date.today()
    in_range = client.get(
        url,
        {
            "created_at_from": (today - timedelta(days=1)).isoformat(),
            "created_at_to": (today + timedelta(days=1)).isoformat(),
        },
    )
    assert CLEANUP in in_range.content.decode()
    past = client.get(url, {"created_at_from": "2001-01-01", "created_at_to": "2001-12-31"}).content.decode()
    assert CLEANUP not in past
    searched = client.get(url, {"q": "letter"}).content.decode()
    assert REPLY in searched and EXTEND not in searched

    detail = client.get(reverse("core_auditlog:inspect", args=[AuditLog.objects.get(seq=1).pk]))
    assert detail.status_code == 200 and "&quot;days&quot;:20" in detail.content.decode()


def test_inspect_survives_a_removed_account(client, auditor, make_staff):
    gone = make_staff("temp", display_name="临时人员")
    entry = audit(actor=gone, action="core.test.removed")
    gone.delete()
    client.force_login(auditor)
    page = client.get(reverse("core_auditlog:inspect", args=[entry.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "临时人员（temp）" in html and "操作人编号" in html
    assert verify_chain() is None


def test_the_list_is_read_only_even_for_a_superuser(client, make_staff, rows):
    admin = make_staff("root", is_superuser=True, is_staff=True)
    client.force_login(admin)
    rows_before = AuditLog.objects.count()  # the rows, and the login's own row
    assert client.get(reverse("core_auditlog:index")).status_code == 200
    for name in ("add", "edit", "delete", "copy", "history"):
        with pytest.raises(NoReverseMatch):
            reverse(f"core_auditlog:{name}", args=[1] if name != "add" else [])
    assert client.get("/admin/audit-log/edit/1/").status_code == 404
    assert client.post("/admin/audit-log/delete/1/").status_code == 404
    assert AuditLog.objects.count() == rows_before


def test_staff_without_the_permission_see_nothing(client, make_staff, rows):
    user = make_staff("editor")
    _grant(user, "wagtailadmin.access_admin")
    client.force_login(user)
    response = client.get(reverse("core_auditlog:index"))
    assert response.status_code in (302, 403)
    assert "disclosure.request.extend" not in response.content.decode()
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "审计日志" not in _sidebar_labels(home)
    assert client.get(reverse("core_auditlog:index"), {"export": "xlsx"}).status_code in (302, 403)
    assert not AuditLog.objects.filter(action="core.auditlog.export").exists()


def test_xlsx_export_is_complete_and_itself_audited(client, auditor, rows):
    client.force_login(auditor)
    response = client.get(reverse("core_auditlog:index"), {"export": "xlsx", "action": "disclosure"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.active
    table = list(sheet.iter_rows(values_only=True))
    assert table[0][:5] == ("序号", "时间", "操作人", "操作人编号", "操作")
    assert len(table) == 2
    assert table[1][0] == 1 and table[1][4] == "disclosure.request.extend"
    assert json.loads(table[1][10]) == {"days": 20}
    export_row = AuditLog.objects.get(action="core.auditlog.export")
    assert export_row.actor_id == auditor.pk
    assert export_row.detail == {"format": "xlsx", "rows": 1, "filters": {"action": "disclosure"}}
    assert export_row.ip_address == "127.0.0.1"
    assert verify_chain() is None
    # No CSV export: the list renders instead, and nothing is recorded as exported.
    csv = client.get(reverse("core_auditlog:index"), {"export": "csv"})
    assert csv["Content-Type"].startswith("text/html")
    assert AuditLog.objects.filter(action="core.auditlog.export").count() == 1
