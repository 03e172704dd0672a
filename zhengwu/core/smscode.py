"""SMS verification codes: the accessible alternative to the image captcha of public forms.

A person who cannot read the captcha image asks for a 6-digit code by SMS (sent through :mod:`zhengwu.core.sms`)
and types it instead. A code belongs to one phone number and one form (its *purpose*), lasts
``sms_code_seconds`` and survives ``sms_code_attempts`` wrong tries; only a keyed hash is stored. Sending is
limited per phone (a pause between codes, a number per hour) and per client address, so that the form cannot be
used to flood someone's phone; the limits are settings (:mod:`zhengwu.core.ratelimit`).

The code is checked when the form is validated and used up only when the submission is accepted
(:func:`use_code`), so that a form sent back for another field's mistake does not cost the person a new SMS.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from . import ratelimit
from .sms import SmsError, normalize_mobile, send_sms

CODE_LENGTH = 6
_SALT = "zhengwu.core.smscode"

_PURPOSES: dict[str, str] = {}


def register_purpose(code: str, label: str) -> None:
    """Name what a code is for, as the SMS says it: ``register_purpose("error_report", "提交网站纠错")``."""
    _PURPOSES[code] = label


def purpose_label(code: str) -> str | None:
    return _PURPOSES.get(code)


def mask_phone(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else "****"


def _hash(phone: str, purpose: str, code: str) -> str:
    return salted_hmac(_SALT, f"{phone}:{purpose}:{code}", algorithm="sha256").hexdigest()


@dataclass(frozen=True)
class SentCode:
    phone: str
    expires_at: dt.datetime
    message: str  # what the page tells the person (the masked number and how long the code lasts)


def _limits(purpose: str) -> dict[str, ratelimit.Limit]:
    return {
        name: ratelimit.form_limit(purpose, name)
        for name in ("sms_interval_per_phone", "sms_per_phone", "sms_per_ip")
    }


def send_code(*, phone: str, purpose: str, request: HttpRequest | None) -> SentCode:
    """Send a new code for ``purpose`` to ``phone``; ``ValidationError`` (in Chinese) when the number is not a
    mobile number, a limit is reached or the gateway fails. Nothing is counted against the person when the
    gateway fails."""
    if not sms_available():
        raise ValidationError("本网站暂未开通短信验证码，请使用图片验证码。", code="unavailable")
    label = purpose_label(purpose)
    if label is None:
        raise ValidationError("无法识别的验证用途。", code="purpose")
    number = normalize_mobile(phone)  # ValidationError with the reason
    subject = ratelimit.client_subject(request)
    limits = _limits(purpose)
    taken: list[tuple[str, str, ratelimit.Limit]] = []
    checks = (
        ("sms_interval_per_phone", number, "同一手机号码获取验证码过于频繁，请 {seconds} 秒后再试。"),
        ("sms_per_phone", number, "该手机号码获取验证码次数过多，请 {minutes} 分钟后再试。"),
        ("sms_per_ip", subject, "获取验证码过于频繁，请 {minutes} 分钟后再试。"),
    )
    for name, key, message in checks:
        limit = limits[name]
        if not ratelimit.consume(scope=f"sms:{name}", key=key, limit=limit):
            for scope, taken_key, taken_limit in taken:
                ratelimit.release(scope=scope, key=taken_key, limit=taken_limit)
            left = ratelimit.seconds_left(limit)
            raise ValidationError(
                message.format(seconds=left, minutes=max(1, -(-left // 60))), code="rate_limited"
            )
        taken.append((f"sms:{name}", key, limit))

    from .models import SmsCode

    code = "".join(secrets.choice("0123456789") for _ in range(CODE_LENGTH))
    seconds = int(ratelimit.form_limits(purpose)["sms_code_seconds"])
    expires_at = timezone.now() + dt.timedelta(seconds=seconds)
    with transaction.atomic():
        # A new code replaces the earlier ones of the same number and form.
        SmsCode.objects.filter(phone=number, purpose=purpose, used_at__isnull=True).update(
            used_at=timezone.now()
        )
        row = SmsCode.objects.create(
            phone=number,
            purpose=purpose,
            code_hash=_hash(number, purpose, code),
            expires_at=expires_at,
            ip_address=ratelimit.client_ip(request),
        )
    minutes = max(1, seconds // 60)
    try:
        send_sms(number, f"您正在{label}，验证码 {code}，{minutes} 分钟内有效。如非本人操作，请忽略本短信。")
    except SmsError as exc:
        SmsCode.objects.filter(pk=row.pk).delete()
        for scope, taken_key, taken_limit in taken:
            ratelimit.release(scope=scope, key=taken_key, limit=taken_limit)
        raise ValidationError(
            f"短信发送失败，请稍后再试，或使用图片验证码。（{exc}）", code="gateway"
        ) from exc
    return SentCode(
        phone=number,
        expires_at=expires_at,
        message=f"验证码已发送至 {mask_phone(number)}，{minutes} 分钟内有效。",
    )


def check_code(*, phone: str, purpose: str, code: str) -> int:
    """The id of the valid code ``code`` for ``phone`` and ``purpose``, or ``ValidationError``. A wrong code counts
    against the latest code of that number; after ``sms_code_attempts`` wrong tries the code is void."""
    from .models import SmsCode

    typed = "".join(str(code or "").split())
    if not typed:
        raise ValidationError("请输入短信验证码。", code="required")
    try:
        number = normalize_mobile(phone)
    except ValidationError:
        raise ValidationError("请填写接收短信验证码的手机号码。", code="phone") from None
    max_attempts = int(ratelimit.form_limits(purpose)["sms_code_attempts"])
    with transaction.atomic():
        row = (
            SmsCode.objects.select_for_update()
            .filter(phone=number, purpose=purpose, used_at__isnull=True, expires_at__gt=timezone.now())
            .order_by("-created_at", "-pk")
            .first()
        )
        if row is None:
            raise ValidationError("短信验证码已失效或未获取，请重新获取。", code="expired")
        if row.attempts >= max_attempts:
            raise ValidationError("短信验证码输入错误次数过多，请重新获取。", code="attempts")
        if typed.isdigit() and constant_time_compare(_hash(number, purpose, typed), row.code_hash):
            return row.pk
        row.attempts += 1
        row.save(update_fields=["attempts"])
    left = max_attempts - row.attempts
    if left <= 0:
        raise ValidationError("短信验证码输入错误次数过多，请重新获取。", code="attempts")
    raise ValidationError(f"短信验证码不正确，还可以再试 {left} 次。", code="invalid")


def use_code(code_id: int) -> None:
    """Mark a checked code as used, once the submission it guarded is accepted."""
    from .models import SmsCode

    SmsCode.objects.filter(pk=code_id, used_at__isnull=True).update(used_at=timezone.now())


def delete_old_codes(*, older_than: dt.timedelta = dt.timedelta(days=1)) -> int:
    from .models import SmsCode

    deleted, _ = SmsCode.objects.filter(expires_at__lt=timezone.now() - older_than).delete()
    return deleted


def sms_available() -> bool:
    """Whether SMS can be offered at all (an installation may turn it off when it has no gateway)."""
    return bool(getattr(settings, "ZHENGWU_SMS_CODES", True))
