"""Security basics: password rules, lockout, session timeout, headers, the production deploy check."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

PASSWORD = "Zw-Test-Passw0rd!"


@pytest.mark.parametrize(
    "password",
    ["short1A!", "alllowercaseletters", "ALLUPPER123456", "1234567890123", "password123"],
)
def test_weak_passwords_are_refused_in_chinese(password):
    with pytest.raises(ValidationError) as excinfo:
        validate_password(password)
    assert any("密码" in message for message in excinfo.value.messages)


def test_strong_password_is_accepted():
    validate_password("Qingshan#2026road")


def login(client, username, password):
    return client.post("/admin/login/", {"username": username, "password": password})


@pytest.mark.django_db
def test_account_locks_after_repeated_failures_and_says_so(client, make_staff, make_org):
    make_staff("locked_editor", organization=make_org(), is_staff=True, password=PASSWORD)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = login(client, "locked_editor", "wrong-password")
    # The next attempt, even with the right password, is refused while the account is locked.
    response = login(client, "locked_editor", PASSWORD)
    assert response.status_code == 403
    text = response.content.decode()
    assert "账号已暂时锁定" in text
    assert f"连续 {settings.AXES_FAILURE_LIMIT} 次登录失败" in text
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_other_accounts_are_not_locked_by_someone_elses_failures(client, make_staff, make_org):
    from wagtail.models import Page

    org = make_org()
    make_staff("victim", organization=org, password=PASSWORD)
    user = make_staff("colleague", organization=org, password=PASSWORD)
    from django.contrib.auth.models import Permission

    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        login(client, "victim", "wrong-password")
    response = login(client, "colleague", PASSWORD)
    assert response.status_code == 302
    assert Page.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/zh-hant/admin/login/", "/zh-hant/admin/", "/zh-hant/admin", "/zh-hant/_util/login/"]
)
def test_the_admin_has_no_traditional_copy(client, path):
    assert client.get(path).status_code == 404
    assert client.post(path, {"username": "x", "password": "y"}).status_code == 404


@pytest.mark.django_db
def test_the_front_end_login_leads_to_the_one_staff_login(client, make_staff, make_org):
    response = client.get("/_util/login/?next=/xxgk/")
    assert response.status_code == 302 and response["Location"] == "/admin/login/?next=/xxgk/"
    # A POST there logs nobody in, whatever it carries.
    make_staff("util_user", organization=make_org(), password=PASSWORD)
    client.post("/_util/login/", {"username": "util_user", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert settings.WAGTAIL_FRONTEND_LOGIN_URL == "/admin/login/"


@pytest.mark.django_db
def test_one_address_trying_many_accounts_is_throttled(client, make_staff, make_org, settings):
    settings.ZHENGWU_LOGIN_FAILURES_PER_IP = (6, 3600)
    # An address of its own: with Redis, counters of other tests' failed logins live until their window ends.
    client = client.__class__(REMOTE_ADDR="198.51.100.61")
    org = make_org()
    make_staff("spray_target", organization=org, password=PASSWORD)
    for number in range(6):  # six accounts, one wrong password each: no account reaches its own lockout
        response = login(client, f"guess{number}", "wrong-password")
        assert response.status_code == 200 and "用户名或密码不正确" in response.content.decode()
    response = login(client, "spray_target", PASSWORD)
    text = response.content.decode()
    assert response.status_code == 200 and "本机地址登录失败次数过多" in text and "分钟后再试" in text
    assert "_auth_user_id" not in client.session
    # Another address is not affected.
    other = client.__class__(REMOTE_ADDR="198.51.100.62")
    assert login(other, "spray_target", PASSWORD).status_code == 302


def test_session_times_out_when_idle():
    assert settings.SESSION_COOKIE_AGE <= 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_COOKIE_HTTPONLY is True


@pytest.mark.django_db
def test_security_headers_on_public_and_admin_pages(client):
    response = client.get("/admin/login/")
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "no-store" in response["Cache-Control"]


def test_deploy_check_is_clean_with_production_settings(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "zhengwu.settings.production",
        "ZHENGWU_SECRET_KEY": "k" * 20 + "9f3a7c1e5b2d8f4a6c0e9b7d5f3a1c8e6b4d2f0a",
        "ZHENGWU_ALLOWED_HOSTS": "www.example.gov.cn",
        "ZHENGWU_DATA_DIR": str(tmp_path),
    }
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # a deployment starts from a clean environment
    result = subprocess.run(
        [sys.executable, "-m", "zhengwu", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "zhengwu.settings.production",
        "ZHENGWU_DATA_DIR": str(tmp_path),
    }
    env.pop("ZHENGWU_SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "-m", "zhengwu", "check"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "ZHENGWU_SECRET_KEY" in result.stderr
