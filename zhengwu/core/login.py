"""The one staff login: ``/admin/login/``.

Every other way in answers with it: Wagtail's front-end login (``/_util/login/``, used by private pages) redirects
here, and the admin has no 繁体 copy under ``/zh-hant/``. So the per-account lockout (django-axes), the per-address
limit below and nginx's ``limit_req`` on this one location cover every login attempt.
"""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from wagtail.admin.forms.auth import LoginForm

from zhengwu.core import ratelimit

# Failed logins per client address, on top of the per-account lockout. Generous, as a whole office shares one NAT
# address: it stops one address trying password after password across many accounts.
DEFAULT_LOGIN_FAILURES_PER_IP = (100, 3600)
LOGIN_SCOPE = "login_failures"


def login_failure_limit() -> ratelimit.Limit:
    return ratelimit.Limit.of(
        getattr(settings, "ZHENGWU_LOGIN_FAILURES_PER_IP", DEFAULT_LOGIN_FAILURES_PER_IP)
    )


class StaffLoginForm(LoginForm):
    """The admin login form with every label in Chinese (Wagtail's password field has an untranslated label)."""

    password = forms.CharField(
        label="密码",
        widget=forms.PasswordInput(attrs={"placeholder": "输入密码", "autocomplete": "current-password"}),
        strip=False,
    )

    error_messages = {
        **LoginForm.error_messages,
        "invalid_login": "用户名或密码不正确，请重新输入。",
        "inactive": "该账号已停用，请联系系统管理员。",
    }

    def clean(self):
        address = ratelimit.client_ip(self.request) if self.request is not None else None
        limit = login_failure_limit()
        if ratelimit.is_over(scope=LOGIN_SCOPE, key=address, limit=limit):
            raise ValidationError(
                ratelimit.limit_message(ratelimit.seconds_left(limit), what="本机地址登录失败次数过多，登录"),
                code="throttled",
            )
        try:
            return super().clean()
        except ValidationError:
            ratelimit.hit(scope=LOGIN_SCOPE, key=address, limit=limit)
            raise
