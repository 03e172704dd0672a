"""消息: inbox rows, delivery after commit, e-mail, the SMS gateways (a real HTTP server), retries, the admin inbox."""

from __future__ import annotations

import io
import json
import re
import socket
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from zhengwu.core.models import AuditLog, Delivery, Notification
from zhengwu.core.selectors.notifications import inbox, unread_count
from zhengwu.core.services.notifications import mark_all_read, mark_read, notify
from zhengwu.core.sms import (
    ConsoleSmsBackend,
    FileSmsBackend,
    HttpSmsBackend,
    SmsError,
    normalize_mobile,
    send_sms,
)

pytestmark = pytest.mark.django_db


def sms_lines(settings) -> list[dict]:
    lines = []
    for path in sorted(settings.ZHENGWU_SMS_FILE_DIR.glob("sms-*.jsonl")):
        lines += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return lines


@pytest.fixture
def sms_dir(settings, tmp_path):
    settings.ZHENGWU_SMS_BACKEND = "zhengwu.core.sms.FileSmsBackend"
    settings.ZHENGWU_SMS_FILE_DIR = tmp_path / "sms"
    return settings.ZHENGWU_SMS_FILE_DIR


# ---------------------------------------------------------------------------------------------------------------
# notify()
# ---------------------------------------------------------------------------------------------------------------


def test_notify_writes_inbox_rows_and_sends_after_commit(
    make_staff, sms_dir, settings, django_capture_on_commit_callbacks
):
    alice = make_staff("alice", email="alice@example.gov.cn", phone="138 0013 8000")
    bob = make_staff("bob")  # no e-mail, no phone: inbox only
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        created = notify(
            recipients=[alice, bob, alice],
            title="依申请公开申请即将超期",
            body="申请 YSQ202505140001 还剩 3 个工作日。",
            link="/admin/disclosure/requests/1/",
            category="disclosure-warning",
        )
        # Nothing leaves before the commit.
        assert mail.outbox == [] and sms_lines(settings) == []
    assert len(callbacks) == 1
    assert [n.recipient for n in created] == [alice, bob]
    assert Delivery.objects.filter(status="pending").count() == 2
    callbacks[0]()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@example.gov.cn"] and message.subject == "依申请公开申请即将超期"
    assert "申请 YSQ202505140001 还剩 3 个工作日。" in message.body
    assert "http://127.0.0.1:8000/admin/disclosure/requests/1/" in message.body
    [sms] = sms_lines(settings)
    assert sms["phone"] == "13800138000"
    assert sms["text"].startswith("【示范县人民政府】依申请公开申请即将超期：申请 YSQ202505140001")
    email_delivery, sms_delivery = Delivery.objects.filter(notification__recipient=alice).order_by("channel")
    assert (email_delivery.channel, email_delivery.status, email_delivery.attempts) == ("email", "sent", 1)
    assert (sms_delivery.channel, sms_delivery.status, sms_delivery.address) == ("sms", "sent", "13800138000")
    assert sms_delivery.sent_at is not None and sms_delivery.error == ""
    assert unread_count(alice) == 1 and unread_count(bob) == 1


def test_rolled_back_work_notifies_nobody(make_staff, sms_dir, settings, django_capture_on_commit_callbacks):
    alice = make_staff("alice", email="alice@example.gov.cn", phone="13800138000")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            notify(recipients=[alice], title="不会发出的消息")
            raise RuntimeError("保存失败")
    assert callbacks == []
    assert not Notification.objects.exists() and not Delivery.objects.exists()
    assert mail.outbox == [] and sms_lines(settings) == []


def test_outside_addresses_get_their_own_record(sms_dir, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        [created] = notify(
            title="您的申请已受理",
            body="受理编号 YSQ202505140001K，查询码请妥善保管。",
            email="applicant@example.com",
            phone="+86 139-0000-1111",
        )
    assert created.recipient is None and created.in_inbox is False
    assert created.phone == "13900001111" and created.email == "applicant@example.com"
    assert mail.outbox[0].to == ["applicant@example.com"]
    assert sms_lines(settings)[0]["phone"] == "13900001111"


def test_channels_limit_the_ways_used(make_staff, sms_dir, settings, django_capture_on_commit_callbacks):
    alice = make_staff("alice", email="alice@example.gov.cn", phone="13800138000")
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[alice], title="仅站内", channels=("inbox",))
        [email_only] = notify(recipients=[alice], title="仅邮件", channels=("email",))
    assert [m.title for m in inbox(alice)] == ["仅站内"]
    assert email_only.in_inbox is False and email_only.recipient == alice
    assert [m.subject for m in mail.outbox] == ["仅邮件"]
    assert sms_lines(settings) == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"phone": "12345"}, "手机号码格式不正确：12345"),
        ({"phone": "021-12345678"}, "手机号码格式不正确"),
        ({"email": "not-an-address"}, "电子邮箱格式不正确：not-an-address"),
        ({"link": "javascript:alert(1)"}, "消息链接须为站内路径"),
        ({"title": "  "}, "消息标题不能为空"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(make_staff, kwargs, message):
    alice = make_staff("alice")
    arguments = {"recipients": [alice], "title": "标题", **kwargs}
    with pytest.raises(ValidationError) as exc:
        notify(**arguments)
    assert message in exc.value.messages[0]
    assert not Notification.objects.exists() and not Delivery.objects.exists()


def test_a_bad_number_on_file_is_kept_as_a_failed_delivery(
    make_staff, sms_dir, settings, django_capture_on_commit_callbacks
):
    alice = make_staff("alice", phone="0871-1234567")
    bob = make_staff("bob", phone="13700001111")
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[alice, bob], title="会议通知")
    failed = Delivery.objects.get(notification__recipient=alice)
    assert failed.status == "failed" and failed.attempts == 0 and "手机号码格式不正确" in failed.error
    assert Delivery.objects.get(notification__recipient=bob).status == "sent"
    assert [line["phone"] for line in sms_lines(settings)] == ["13700001111"]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("13800138000", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("0086-19912345678", "19912345678"),
        ("８６１５９１２３４５６７８", "15912345678"),
    ],
)
def test_mobile_numbers_are_normalized(typed, expected):
    assert normalize_mobile(typed) == expected


@pytest.mark.parametrize("typed", ["", "1380013800", "23800138000", "12800138000", "138001380001", "abc"])
def test_mobile_numbers_are_validated(typed):
    with pytest.raises(ValidationError, match="手机号码格式不正确"):
        normalize_mobile(typed)


def test_console_backend(settings):
    stream = io.StringIO()
    send_sms("13800138000", "测试短信", backend=ConsoleSmsBackend(stream=stream))
    assert stream.getvalue() == "[短信] 13800138000：【示范县人民政府】测试短信\n"


def test_file_backend_appends_json_lines(settings, tmp_path):
    backend = FileSmsBackend(directory=tmp_path)
    send_sms("13800138000", "第一条", backend=backend)
    settings.ZHENGWU_SMS_SIGNATURE = "示范县政务服务中心"
    send_sms("13900139000", "第二条", backend=backend)
    lines = [json.loads(x) for x in backend.path_for_today().read_text(encoding="utf-8").splitlines()]
    assert [(x["phone"], x["text"]) for x in lines] == [
        ("13800138000", "【示范县人民政府】第一条"),
        ("13900139000", "【示范县政务服务中心】第二条"),
    ]


# ---------------------------------------------------------------------------------------------------------------
# The HTTP gateway, against a real server on 127.0.0.1
# ---------------------------------------------------------------------------------------------------------------


class Gateway:
    """A tiny SMS gateway: records each request and answers with the next scripted (status, delay)."""

    def __init__(self, script):
        self.script = list(script)
        self.requests: list[dict] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                gateway.requests.append(
                    {
                        "path": self.path,
                        "headers": dict(self.headers),
                        "json": json.loads(self.rfile.read(length).decode("utf-8")),
                    }
                )
                status, delay = gateway.script.pop(0) if gateway.script else (200, 0)
                if delay:
                    time.sleep(delay)
                body = json.dumps(
                    {"ok": status < 300, "msg": "网关内部错误" if status >= 500 else "ok"}
                ).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def http_gateway(settings):
    def configure(script):
        gateway = Gateway(script)
        settings.ZHENGWU_SMS_BACKEND = "zhengwu.core.sms.HttpSmsBackend"
        settings.ZHENGWU_SMS_GATEWAY_URL = gateway.url
        settings.ZHENGWU_SMS_GATEWAY_TOKEN = "gateway-token-123"
        settings.ZHENGWU_SMS_GATEWAY_TIMEOUT = 0.5
        return gateway

    return configure


def test_http_gateway_delivers(http_gateway, django_capture_on_commit_callbacks):
    with http_gateway([(200, 0)]) as gateway, django_capture_on_commit_callbacks(execute=True):
        notify(title="您的来信已办结", body="请登录网站查看答复。", phone="13800138000")
    [request] = gateway.requests
    assert request["path"] == "/sms/send"
    assert request["headers"]["Authorization"] == "Bearer gateway-token-123"
    assert request["headers"]["Content-Type"] == "application/json"
    assert request["json"] == {
        "phone": "13800138000",
        "text": "【示范县人民政府】您的来信已办结：请登录网站查看答复。",
    }
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.error) == ("sent", 1, "")


def test_http_gateway_errors_are_retried_and_kept(http_gateway, django_capture_on_commit_callbacks):
    with (
        http_gateway([(500, 0), (503, 0), (500, 0)]) as gateway,
        django_capture_on_commit_callbacks(execute=True),
    ):
        notify(title="测试", phone="13800138000")
    assert len(gateway.requests) == 3
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", 3)
    lines = delivery.error.splitlines()
    assert len(lines) == 3
    assert "第 1 次：短信网关拒绝发送：HTTP 500" in lines[0] and "网关内部错误" in lines[0]
    assert "第 2 次：短信网关拒绝发送：HTTP 503" in lines[1]
    assert "第 3 次：短信网关拒绝发送：HTTP 500" in lines[2]
    assert delivery.sent_at is None


def test_http_gateway_recovers_on_retry(http_gateway, django_capture_on_commit_callbacks):
    with http_gateway([(502, 0), (200, 0)]) as gateway, django_capture_on_commit_callbacks(execute=True):
        notify(title="测试", phone="13800138000")
    assert len(gateway.requests) == 2
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("sent", 2)
    assert "HTTP 502" in delivery.error  # the failed attempt stays on record


def test_http_gateway_timeout_is_a_failure(http_gateway, settings, django_capture_on_commit_callbacks):
    settings.ZHENGWU_NOTIFY_MAX_ATTEMPTS = 1
    with http_gateway([(200, 2.0)]), django_capture_on_commit_callbacks(execute=True):
        started = time.monotonic()
        notify(title="测试", phone="13800138000")
        elapsed = time.monotonic() - started
    delivery = Delivery.objects.get()
    assert delivery.status == "failed" and "短信网关超时（0.5 秒未响应）" in delivery.error
    assert elapsed < 1.9


def test_http_gateway_unreachable(settings):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    backend = HttpSmsBackend(url=f"http://127.0.0.1:{port}/sms", token="t", timeout=1)
    with pytest.raises(SmsError, match="无法连接短信网关"):
        backend.send("13800138000", "测试")
    with pytest.raises(SmsError, match="未配置短信网关地址"):
        HttpSmsBackend(url="", token="").send("13800138000", "测试")


def test_email_server_down_is_recorded(make_staff, settings, django_capture_on_commit_callbacks):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 1
    settings.ZHENGWU_NOTIFY_MAX_ATTEMPTS = 2
    with django_capture_on_commit_callbacks(execute=True):
        notify(title="测试", email="someone@example.com", channels=("email",))
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", 2)
    assert delivery.error.count("ConnectionRefusedError") == 2


@pytest.mark.django_db(transaction=True)
def test_retries_wait_when_the_task_backend_can_defer(http_gateway, settings):
    # A real worker on the database queue; it manages its own connections, so no test-wide transaction here.
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": ["default", "notifications", "maintenance"],
        }
    }
    with http_gateway([(500, 0), (200, 0)]) as gateway:
        notify(title="测试", phone="13800138000")
        assert DBTaskResult.objects.filter(queue_name="notifications").count() == 1
        call_command(
            "db_worker", "--batch", "--queue-name", "notifications", "--no-startup-delay", verbosity=0
        )
        assert len(gateway.requests) == 1
        delivery = Delivery.objects.get()
        assert (delivery.status, delivery.attempts) == ("pending", 1)
        retry = DBTaskResult.objects.filter(queue_name="notifications", status="READY").get()
        assert retry.run_after > timezone.now() + timedelta(seconds=50)
        # Not due yet: a worker pass leaves it alone.
        call_command(
            "db_worker", "--batch", "--queue-name", "notifications", "--no-startup-delay", verbosity=0
        )
        assert len(gateway.requests) == 1
        DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now() - timedelta(seconds=1))
        call_command(
            "db_worker", "--batch", "--queue-name", "notifications", "--no-startup-delay", verbosity=0
        )
    assert len(gateway.requests) == 2
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 2)


# ---------------------------------------------------------------------------------------------------------------
# Inbox services and admin
# ---------------------------------------------------------------------------------------------------------------


def test_mark_read_touches_only_ones_own_messages(make_staff):
    alice, bob = make_staff("alice"), make_staff("bob")
    [a1] = notify(recipients=[alice], title="甲", channels=("inbox",))
    [b1] = notify(recipients=[bob], title="乙", channels=("inbox",))
    assert mark_read(user=alice, notification_ids=[a1.pk, b1.pk]) == 1
    b1.refresh_from_db()
    assert b1.read_at is None and unread_count(alice) == 0 and unread_count(bob) == 1
    notify(recipients=[alice], title="丙", channels=("inbox",))
    notify(recipients=[alice], title="丁", channels=("inbox",))
    assert mark_all_read(user=alice) == 2
    assert unread_count(alice) == 0 and unread_count(bob) == 1
    assert AuditLog.objects.filter(action="core.notification.read_all", actor=alice).exists()


@pytest.fixture
def admin_user(make_staff):
    def make(username):
        user = make_staff(username)
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
        )
        return user

    return make


def _sidebar(html: str) -> str:
    match = re.search(
        r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>', html, re.S
    )
    assert match, "no sidebar on the page"
    return json.dumps(json.loads(match.group(1)), ensure_ascii=False)


def test_admin_inbox(client, admin_user):
    alice, bob = admin_user("alice"), admin_user("bob")
    notify(
        recipients=[alice],
        title="请审核政策解读稿",
        body="《关于……》的解读稿待审核。",
        link="/admin/pages/",
        channels=("inbox",),
    )
    notify(recipients=[alice], title="工单即将超期", channels=("inbox",))
    [secret] = notify(recipients=[bob], title="别人的消息", channels=("inbox",))
    client.force_login(alice)

    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "消息（2）" in _sidebar(home)

    page = client.get(reverse("core_inbox:index"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "请审核政策解读稿" in html and "工单即将超期" in html and "别人的消息" not in html
    assert "您有 <strong>2</strong> 条未读消息" in html

    # Someone else's message does not exist for alice, and marking it read does nothing.
    assert client.get(reverse("core_inbox:detail", args=[secret.pk])).status_code == 404
    client.post(reverse("core_inbox:mark_read"), {"id": [secret.pk]})
    secret.refresh_from_db()
    assert secret.read_at is None

    first = Notification.objects.get(title="请审核政策解读稿")
    detail = client.get(reverse("core_inbox:detail", args=[first.pk]))
    assert detail.status_code == 200 and "《关于……》的解读稿待审核。" in detail.content.decode()
    assert 'href="/admin/pages/"' in detail.content.decode()
    first.refresh_from_db()
    assert first.read_at is not None
    assert "消息（1）" in _sidebar(client.get(reverse("core_inbox:index")).content.decode())

    unread_page = client.get(reverse("core_inbox:index"), {"unread": "1"}).content.decode()
    assert "工单即将超期" in unread_page and "请审核政策解读稿" not in unread_page

    second = Notification.objects.get(title="工单即将超期")
    response = client.post(
        reverse("core_inbox:mark_read"), {"id": [second.pk], "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("core_inbox:index")
    second.refresh_from_db()
    assert second.read_at is not None
    assert '"消息"' in _sidebar(client.get(reverse("core_inbox:index")).content.decode())

    notify(recipients=[alice], title="新消息一", channels=("inbox",))
    notify(recipients=[alice], title="新消息二", channels=("inbox",))
    response = client.post(reverse("core_inbox:mark_all_read"))
    assert response.status_code == 302
    assert unread_count(alice) == 0 and unread_count(bob) == 1
    assert client.get(reverse("core_inbox:mark_all_read")).status_code == 405


def test_admin_inbox_needs_a_login(client):
    response = client.get(reverse("core_inbox:index"))
    assert response.status_code == 302 and reverse("wagtailadmin_login") in response["Location"]
