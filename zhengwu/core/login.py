from django import forms
from wagtail.admin.forms.auth import LoginForm


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
