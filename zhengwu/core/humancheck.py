"""The human check and rate limits of public forms, written once for every form the public submits.

A form inherits :class:`HumanCheckForm` and gets, after its own fields, the image captcha and its accessible
alternative: a phone number (or one of the form's own fields, ``sms_phone_field``) and a 6-digit SMS code
(:mod:`zhengwu.core.smscode`). Whoever fills in the SMS code does not need the image.

Its view asks a :class:`PublicFormGuard` to check a posted form::

    guard = PublicFormGuard(request, scope="error_report")
    if guard.sms_requested():            # 「获取短信验证码」 pressed without JavaScript
        guard.send_sms_code(form)
    else:
        verdict = guard.check(form, phone_field="contact")
        if verdict.ok:
            ...do the work...; guard.accepted()     # or guard.rejected() when the service refused it
        else:
            status = verdict.status; limited = verdict.message

The guard counts, per client address (IPv6 per /64) and per phone number, accepted submissions, and, separately
and more leniently, wrong image captchas; the numbers are settings (``ZHENGWU_PUBLIC_FORM_LIMITS``). While an
address has too many wrong captchas, the image is refused but the SMS route stays open.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from captcha.fields import CaptchaField
from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import ratelimit, smscode
from .sms import is_mobile, normalize_mobile

HUMAN_CHECK_FIELDS = ("captcha", "sms_phone", "sms_code")
SEND_BUTTON = "sms_send"


class OptionalCaptchaField(CaptchaField):
    """The image captcha, skipped when the person chose the SMS code (or the address is locked out of it)."""

    skip = False

    def clean(self, value: Any) -> Any:
        if self.skip:
            return None
        return super().clean(value)


class SmsCodeInput(forms.TextInput):
    """The SMS code box with its 「获取短信验证码」 button and a status line read out by screen readers."""

    template_name = "core/widgets/sms_code.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "maxlength": str(smscode.CODE_LENGTH),
                "size": "8",
                **(attrs or {}),
            }
        )
        self.send_url = ""
        self.purpose = ""
        self.phone_input_id = ""
        self.status = ""
        self.status_is_error = False

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["sms"] = {
            "send_url": self.send_url,
            "purpose": self.purpose,
            "phone_input_id": self.phone_input_id,
            "button_name": SEND_BUTTON,
            "status": self.status,
            "status_is_error": self.status_is_error,
        }
        return context


class HumanCheckForm(forms.Form):
    """Base of public forms: the image captcha, or an SMS code instead (see the module docstring).

    ``human_check_purpose`` names the form for its limits and its SMS text (register it with
    :func:`zhengwu.core.smscode.register_purpose`); ``sms_phone_field`` names a field of the form that holds the
    person's mobile number, when the form asks for one anyway.
    """

    human_check_purpose: str = ""
    sms_phone_field: str | None = None

    captcha = OptionalCaptchaField(
        label="验证码",
        help_text="请输入图片中的 4 个字符，不区分大小写。看不清或无法识别图片的，可以改用下面的短信验证码。",
        error_messages={"invalid": "验证码不正确，请重新输入。", "required": "请输入验证码。"},
    )
    sms_code = forms.CharField(
        label="短信验证码（可代替图片验证码）",
        required=False,
        max_length=12,
        widget=SmsCodeInput(),
        help_text="点击“获取短信验证码”，把收到的 6 位数字填在这里；填写了短信验证码的，无须输入图片验证码。",
    )

    def __init__(self, *args: Any, human_check: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sms_code_id: int | None = None
        if not human_check:
            for name in HUMAN_CHECK_FIELDS:
                self.fields.pop(name, None)
            self.human_check = False
            return
        self.human_check = True
        if not smscode.sms_available():
            self.fields.pop("sms_code")
        elif not self.sms_phone_field:
            self.fields["sms_phone"] = forms.CharField(
                label="接收短信验证码的手机号码",
                required=False,
                max_length=20,
                widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
                help_text="使用短信验证码时填写。",
            )
        names = [name for name in self.fields if name not in HUMAN_CHECK_FIELDS]
        self.order_fields(names + [name for name in HUMAN_CHECK_FIELDS if name in self.fields])
        if "sms_code" not in self.fields:
            return
        widget = self.fields["sms_code"].widget
        widget.send_url = reverse("sms_code_send")
        widget.purpose = self.human_check_purpose
        widget.phone_input_id = self[self.phone_field_name].auto_id or ""
        if self.uses_sms:
            self.fields["captcha"].skip = True
            self.fields["captcha"].required = False

    @property
    def phone_field_name(self) -> str:
        return self.sms_phone_field or "sms_phone"

    def _raw(self, name: str) -> str:
        if not self.is_bound:
            return ""
        return str(self.data.get(self.add_prefix(name), "") or "").strip()

    @property
    def uses_sms(self) -> bool:
        """The person typed an SMS code: the image captcha is not asked for."""
        return self.human_check and "sms_code" in self.fields and bool(self._raw("sms_code"))

    @property
    def sms_phone(self) -> str:
        """The mobile number the SMS code goes to (as typed)."""
        return self._raw(self.phone_field_name)

    def set_sms_status(self, message: str, *, error: bool = False) -> None:
        if "sms_code" not in self.fields:
            return
        widget = self.fields["sms_code"].widget
        widget.status, widget.status_is_error = message, error

    def skip_captcha(self) -> None:
        self.fields["captcha"].skip = True
        self.fields["captcha"].required = False

    def captcha_failed(self) -> bool:
        """Whether validation refused a typed image captcha answer (an empty one is not a failed attempt)."""
        if not self.human_check or self.uses_sms or "captcha" not in self.errors:
            return False
        # django-simple-captcha raises its "invalid" message without a code; "required" is an empty answer.
        return any(error.code not in ("required", "locked") for error in self.errors.as_data()["captcha"])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.uses_sms:
            try:
                self.sms_code_id = smscode.check_code(
                    phone=self.sms_phone, purpose=self.human_check_purpose, code=self._raw("sms_code")
                )
            except ValidationError as exc:
                field = self.phone_field_name if exc.code == "phone" else "sms_code"
                self.add_error(field, exc)
        return data


@dataclass(frozen=True)
class Verdict:
    ok: bool
    message: str = ""
    status: int = 200


def phone_key(value: str) -> str | None:
    """A phone number as its limits count it: a mobile number normalized, another number as its digits."""
    value = (value or "").strip()
    if not value:
        return None
    if is_mobile(value):
        return normalize_mobile(value)
    digits = re.sub(r"\D", "", value)
    return digits or None


class PublicFormGuard:
    """Limits and human check of one public form submission (see the module docstring)."""

    def __init__(self, request: HttpRequest, *, scope: str) -> None:
        self.request = request
        self.scope = scope
        self.subject = ratelimit.client_subject(request)
        self._taken: list[tuple[str, str, ratelimit.Limit]] = []
        self._form: HumanCheckForm | None = None

    def _limit(self, name: str) -> ratelimit.Limit:
        return ratelimit.form_limit(self.scope, name)

    def sms_requested(self) -> bool:
        return self.request.method == "POST" and SEND_BUTTON in self.request.POST

    def send_sms_code(self, form: HumanCheckForm) -> int:
        """Send a code to the number typed in ``form`` (the page is shown again with what was typed); returns the
        HTTP status for the page."""
        try:
            sent = smscode.send_code(
                phone=form.sms_phone, purpose=form.human_check_purpose, request=self.request
            )
        except ValidationError as exc:
            form.set_sms_status(exc.messages[0], error=True)
            return 429 if exc.code == "rate_limited" else 200
        form.set_sms_status(sent.message + "请在下面填写收到的验证码。")
        return 200

    def check(
        self,
        form: HumanCheckForm,
        *,
        phone_field: str | None = None,
        extra: Sequence[tuple[str, str]] = (),
        count_submission: bool = True,
    ) -> Verdict:
        """Validate ``form`` under the limits. ``ok`` means: valid, human, and within the per-address and per-phone
        numbers of accepted submissions (counted now; call :meth:`rejected` if the work is then refused).
        ``extra`` adds ``(limit name, key)`` pairs counted the same way (a tracking number); a form that only
        reads (a look-up) passes ``count_submission=False``."""
        self._form = form
        captcha_limit = self._limit("captcha_failures_per_ip")
        captcha_scope = f"{self.scope}:captcha-failures"
        if (
            form.human_check
            and not form.uses_sms
            and ratelimit.is_over(scope=captcha_scope, key=self.subject, limit=captcha_limit)
        ):
            form.skip_captcha()
            form.is_valid()
            minutes = max(1, -(-ratelimit.seconds_left(captcha_limit) // 60))
            message = f"图片验证码错误次数过多，请 {minutes} 分钟后再试，或改用短信验证码。"
            form.add_error("captcha", ValidationError(message, code="locked"))
            return Verdict(False, message, 429)
        if not form.is_valid():
            if form.captcha_failed():
                ratelimit.hit(scope=captcha_scope, key=self.subject, limit=captcha_limit)
            return Verdict(False)
        if not count_submission:
            return Verdict(True)
        keys = [("submissions_per_ip", self.subject), *extra]
        phones = {phone_key(form.sms_phone) if form.uses_sms else None}
        if phone_field:
            phones.add(phone_key(str(form.cleaned_data.get(phone_field) or "")))
        keys += [("submissions_per_phone", key) for key in sorted(k for k in phones if k)]
        for name, key in keys:
            limit = self._limit(name)
            scope = f"{self.scope}:{name}"
            if not ratelimit.consume(scope=scope, key=key, limit=limit):
                self.rejected()
                minutes = max(1, -(-ratelimit.seconds_left(limit) // 60))
                who = {"submissions_per_phone": "该手机号码", "submissions_per_ip": "您所在网络"}.get(
                    name, "该编号"
                )
                message = f"{who}提交次数已达上限，请 {minutes} 分钟后再试。"
                form.add_error(None, ValidationError(message, code="rate_limited"))
                return Verdict(False, message, 429)
            self._taken.append((scope, key, limit))
        return Verdict(True)

    def accepted(self) -> None:
        """The submission was stored: its SMS code is used up."""
        if self._form is not None and self._form.sms_code_id:
            smscode.use_code(self._form.sms_code_id)
        self._taken = []

    def rejected(self) -> None:
        """The work the guard admitted was refused after all: give the counted submissions back."""
        for scope, key, limit in self._taken:
            ratelimit.release(scope=scope, key=key, limit=limit)
        self._taken = []


@never_cache
@require_POST
def send_code_view(request: HttpRequest) -> JsonResponse:
    """「获取短信验证码」 with JavaScript: the same limits as the form's own button; CSRF-protected."""
    if not smscode.sms_available():
        return JsonResponse(
            {"ok": False, "message": "本网站暂未开通短信验证码，请使用图片验证码。"}, status=400
        )
    try:
        sent = smscode.send_code(
            phone=request.POST.get("phone", ""), purpose=request.POST.get("purpose", ""), request=request
        )
    except ValidationError as exc:
        status = 429 if exc.code == "rate_limited" else 400
        return JsonResponse({"ok": False, "message": exc.messages[0]}, status=status)
    interval = ratelimit.form_limit(request.POST.get("purpose", ""), "sms_interval_per_phone").window
    return JsonResponse({"ok": True, "message": sent.message, "retry_after": interval})


# -- public look-ups by tracking number and query code -------------------------------------------------------------


def lookup_needs_human_check(request: HttpRequest) -> bool:
    """Whether this address failed enough look-ups that the captcha (or an SMS code) is asked for as well."""
    from django.conf import settings

    from .services.numbering import lookup_failures

    return lookup_failures(request) >= settings.ZHENGWU_LOOKUP_CAPTCHA_AFTER


@dataclass
class LookupOutcome:
    case: Any = None
    status: int = 200
    limited: str = ""


def guarded_lookup(request: HttpRequest, *, form: forms.Form, scope: str, queryset: Any) -> LookupOutcome:
    """One public look-up (申请进度查询, 网站纠错查询, …): the form's human check and limits through
    :class:`PublicFormGuard`, then :func:`~zhengwu.core.services.numbering.lookup_case` with the typed tracking
    number and query code. Errors go onto ``form``; ``case`` is set only when both matched."""
    from .services.numbering import lookup_case

    outcome = LookupOutcome()
    if request.method != "POST":
        return outcome
    guard = PublicFormGuard(request, scope=scope)
    if guard.sms_requested():
        outcome.status = guard.send_sms_code(form)
        return outcome
    verdict = guard.check(form, count_submission=False)
    outcome.limited, outcome.status = verdict.message, verdict.status
    if not verdict.ok:
        return outcome
    try:
        outcome.case = lookup_case(
            queryset=queryset,
            tracking_number=form.cleaned_data["tracking_number"],
            query_code=form.cleaned_data["query_code"],
            request=request,
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        if getattr(exc, "code", "") == "rate_limited":
            outcome.status = 429
    else:
        guard.accepted()
    return outcome
