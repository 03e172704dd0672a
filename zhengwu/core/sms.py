"""短信 gateway interface.

``settings.ZHENGWU_SMS_BACKEND`` names the backend class:

- :class:`FileSmsBackend` (default): appends one JSON line per message to a dated file under
  ``settings.ZHENGWU_SMS_FILE_DIR`` — for installations without a gateway contract and for inspection;
- :class:`ConsoleSmsBackend`: prints messages (development);
- :class:`HttpSmsBackend`: POSTs ``{"phone": …, "text": …}`` as JSON to ``settings.ZHENGWU_SMS_GATEWAY_URL`` with
  ``Authorization: Bearer <ZHENGWU_SMS_GATEWAY_TOKEN>``; any non-2xx answer, timeout or connection error is a
  failure. Carriers' own APIs are reached through a small adapter service speaking this protocol.

Every message is prefixed with the registered signature 【ZHENGWU_SMS_SIGNATURE】, as carriers require.
"""

from __future__ import annotations

import json
import os
import re
import sys
import threading
import unicodedata
from pathlib import Path
from typing import IO, Any

import httpx
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.module_loading import import_string

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


class SmsError(Exception):
    """Sending failed; the message (in Chinese) is what the delivery record keeps."""


def normalize_mobile(phone: str) -> str:
    """A mainland mobile number as 11 digits, or ``ValidationError``. Accepts full-width digits, spaces, dashes
    and a +86 / 0086 country code."""
    text = unicodedata.normalize("NFKC", str(phone or ""))
    digits = re.sub(r"[\s\-()（）]", "", text)
    for country in ("+86", "0086"):
        if digits.startswith(country):
            digits = digits[len(country) :]
            break
    else:
        if len(digits) == 13 and digits.startswith("86"):
            digits = digits[2:]
    if not MOBILE_RE.match(digits):
        raise ValidationError(
            f"手机号码格式不正确：{phone}（应为 11 位中国大陆手机号码）。", code="invalid_mobile"
        )
    return digits


def is_mobile(phone: str) -> bool:
    try:
        normalize_mobile(phone)
    except ValidationError:
        return False
    return True


def with_signature(text: str) -> str:
    signature = str(getattr(settings, "ZHENGWU_SMS_SIGNATURE", "") or "").strip("【】 ")
    prefix = f"【{signature}】" if signature else ""
    return text if not prefix or text.startswith(prefix) else prefix + text


class BaseSmsBackend:
    """One gateway. ``send`` raises :class:`SmsError` on failure and returns normally once the gateway accepted."""

    def __init__(self, **options: Any) -> None:
        self.options = options

    def send(self, phone: str, text: str) -> None:
        raise NotImplementedError


class ConsoleSmsBackend(BaseSmsBackend):
    def __init__(self, *, stream: IO[str] | None = None, **options: Any) -> None:
        super().__init__(**options)
        self.stream = stream

    def send(self, phone: str, text: str) -> None:
        stream = self.stream or sys.stdout
        stream.write(f"[短信] {phone}：{text}\n")
        stream.flush()


class FileSmsBackend(BaseSmsBackend):
    """One JSON object per line in ``<dir>/sms-YYYYMMDD.jsonl``."""

    _lock = threading.Lock()

    def __init__(self, *, directory: str | os.PathLike | None = None, **options: Any) -> None:
        super().__init__(**options)
        self.directory = Path(directory or settings.ZHENGWU_SMS_FILE_DIR)

    def path_for_today(self) -> Path:
        return self.directory / f"sms-{timezone.localdate():%Y%m%d}.jsonl"

    def send(self, phone: str, text: str) -> None:
        line = json.dumps(
            {"time": timezone.localtime().isoformat(timespec="seconds"), "phone": phone, "text": text},
            ensure_ascii=False,
        )
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            # One write() of a short line on an O_APPEND file: lines from several processes do not interleave.
            with self._lock, open(self.path_for_today(), "a", encoding="utf-8") as fh:
                fh.write(line + "\n")
        except OSError as exc:
            raise SmsError(f"短信文件写入失败：{exc}") from exc


class HttpSmsBackend(BaseSmsBackend):
    def __init__(
        self,
        *,
        url: str | None = None,
        token: str | None = None,
        timeout: float | None = None,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.url = url if url is not None else settings.ZHENGWU_SMS_GATEWAY_URL
        self.token = token if token is not None else settings.ZHENGWU_SMS_GATEWAY_TOKEN
        self.timeout = float(
            timeout if timeout is not None else getattr(settings, "ZHENGWU_SMS_GATEWAY_TIMEOUT", 10.0)
        )

    def send(self, phone: str, text: str) -> None:
        if not self.url:
            raise SmsError("未配置短信网关地址（ZHENGWU_SMS_GATEWAY_URL）。")
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            response = httpx.post(
                self.url, json={"phone": phone, "text": text}, headers=headers, timeout=self.timeout
            )
        except httpx.TimeoutException as exc:
            raise SmsError(f"短信网关超时（{self.timeout:g} 秒未响应）。") from exc
        except httpx.HTTPError as exc:
            raise SmsError(f"无法连接短信网关：{exc}") from exc
        if not 200 <= response.status_code < 300:
            try:
                # Gateways often answer in JSON with escaped Chinese; keep it readable on the delivery record.
                snippet = json.dumps(response.json(), ensure_ascii=False)[:200]
            except ValueError:
                snippet = response.text[:200].strip()
            raise SmsError(
                f"短信网关拒绝发送：HTTP {response.status_code}" + (f"，{snippet}" if snippet else "")
            )


def get_sms_backend(**options: Any) -> BaseSmsBackend:
    backend_class = import_string(settings.ZHENGWU_SMS_BACKEND)
    return backend_class(**options)


def send_sms(phone: str, text: str, *, backend: BaseSmsBackend | None = None) -> str:
    """Validate the number, prefix the signature and hand the message to the configured gateway.

    Returns the normalized phone number; raises ``ValidationError`` for a bad number and :class:`SmsError` when
    the gateway fails.
    """
    number = normalize_mobile(phone)
    (backend or get_sms_backend()).send(number, with_signature(text))
    return number
