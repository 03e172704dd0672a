"""消息: in-app inbox rows, e-mail and SMS.

:func:`notify` writes the inbox rows and one :class:`~zhengwu.core.models.Delivery` per outside channel and
address inside the caller's transaction; sending starts only after the commit, through the Tasks API, so a rolled
back case never sends anything. Each delivery is tried up to ``ZHENGWU_NOTIFY_MAX_ATTEMPTS`` times (default 3)
with growing pauses when the task backend can defer; every failure is kept on the delivery row.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from ..models import Delivery, Notification
from ..models.notifications import DeliveryChannel, DeliveryStatus
from ..sms import SmsError, normalize_mobile, send_sms
from .audit import audit

logger = logging.getLogger(__name__)


class DeliveryError(Exception):
    """A channel refused the message; the text is kept on the delivery row."""


INBOX = "inbox"
EMAIL = DeliveryChannel.EMAIL.value
SMS = DeliveryChannel.SMS.value
ALL_CHANNELS = (INBOX, EMAIL, SMS)

# Pause before the 2nd, 3rd, … attempt when the task backend can run tasks later.
RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=10), timedelta(hours=1), timedelta(hours=6))
SMS_MAX_CHARS = 300


def max_attempts() -> int:
    return max(1, int(getattr(settings, "ZHENGWU_NOTIFY_MAX_ATTEMPTS", 3)))


def _clean_link(link: str) -> str:
    link = (link or "").strip()
    if not link:
        return ""
    if (link.startswith("/") and not link.startswith("//")) or re.match(r"^https?://", link, re.IGNORECASE):
        return link
    raise ValidationError(f"消息链接须为站内路径（以 / 开头）或 http(s) 地址：{link}", code="invalid_link")


def _clean_email(address: str) -> str:
    address = (address or "").strip()
    try:
        validate_email(address)
    except ValidationError:
        raise ValidationError(f"电子邮箱格式不正确：{address}", code="invalid_email") from None
    return address


def _absolute(link: str) -> str:
    if link.startswith("/"):
        return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + link
    return link


@transaction.atomic
def notify(
    *,
    recipients: Iterable[Any] = (),
    title: str,
    body: str = "",
    link: str = "",
    category: str = "",
    email: str | None = None,
    phone: str | None = None,
    channels: Sequence[str] = ALL_CHANNELS,
    attachments: Sequence[tuple[str, str, str]] = (),
) -> list[Notification]:
    """Send a message to staff ``recipients`` (inbox, and their e-mail / mobile on file) and, if given, to an
    outside ``email`` and/or ``phone`` (an applicant). ``channels`` limits the ways used.

    ``attachments`` are files of the default storage sent with the e-mails, as ``(storage name, file name shown,
    MIME type)``; they are read when the e-mail goes out.

    Returns the rows created. Raises ``ValidationError`` for an empty title, a bad outside address or link; a staff
    member's bad mobile number on file does not stop the others: it is kept as a failed delivery.
    """
    files = [
        {"name": name, "filename": filename, "mimetype": mimetype} for name, filename, mimetype in attachments
    ]
    unknown = set(channels) - set(ALL_CHANNELS)
    if unknown:
        raise ValueError(f"未知的消息渠道：{'、'.join(sorted(unknown))}")
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError("消息标题不能为空。", code="required")
    if len(title) > 200:
        raise ValidationError("消息标题不能超过 200 个字。", code="max_length")
    link = _clean_link(link)
    outside_email = _clean_email(email) if email else ""
    outside_phone = normalize_mobile(phone) if phone else ""
    now = timezone.now()

    created: list[Notification] = []
    deliveries: list[Delivery] = []
    seen: set[int] = set()
    for staff in recipients:
        if staff is None or staff.pk in seen:
            continue
        seen.add(staff.pk)
        planned: list[Delivery] = []
        staff_email = (staff.email or "").strip() if EMAIL in channels else ""
        if staff_email:
            planned.append(Delivery(channel=EMAIL, address=staff_email))
        staff_phone = (getattr(staff, "phone", "") or "").strip() if SMS in channels else ""
        if staff_phone:
            try:
                planned.append(Delivery(channel=SMS, address=normalize_mobile(staff_phone)))
            except ValidationError as exc:
                planned.append(
                    Delivery(
                        channel=SMS,
                        address=staff_phone[:200],
                        status=DeliveryStatus.FAILED,
                        error=f"{now:%Y-%m-%d %H:%M:%S} 未发送：{exc.messages[0]}",
                    )
                )
        in_inbox = INBOX in channels
        if not in_inbox and not planned:
            continue
        notification = Notification.objects.create(
            recipient=staff,
            email=staff_email,
            phone=staff_phone[:20],
            title=title,
            body=body,
            link=link,
            category=category,
            in_inbox=in_inbox,
            attachments=files,
        )
        created.append(notification)
        for delivery in planned:
            delivery.notification = notification
            deliveries.append(delivery)

    outside = []
    if outside_email and EMAIL in channels:
        outside.append(Delivery(channel=EMAIL, address=outside_email))
    if outside_phone and SMS in channels:
        outside.append(Delivery(channel=SMS, address=outside_phone))
    if outside:
        notification = Notification.objects.create(
            recipient=None,
            email=outside_email,
            phone=outside_phone,
            title=title,
            body=body,
            link=link,
            category=category,
            in_inbox=False,
            attachments=files,
        )
        created.append(notification)
        for delivery in outside:
            delivery.notification = notification
            deliveries.append(delivery)

    for delivery in deliveries:
        delivery.save(force_insert=True)
    pending = [d.pk for d in deliveries if d.status == DeliveryStatus.PENDING]
    if pending:
        transaction.on_commit(lambda: schedule_deliveries(pending), robust=True)
    return created


def schedule_deliveries(delivery_ids: Iterable[int], *, attempt: int = 1) -> None:
    """Enqueue one delivery task per id (``attempt`` picks the pause before a retry)."""
    from ..tasks.notifications import deliver_notification

    run_after = None
    if attempt > 1 and deliver_notification.get_backend().supports_defer:
        run_after = timezone.now() + RETRY_DELAYS[min(attempt - 2, len(RETRY_DELAYS) - 1)]
    for delivery_id in delivery_ids:
        try:
            task = deliver_notification.using(run_after=run_after) if run_after else deliver_notification
            task.enqueue(delivery_id)
        except Exception as exc:  # a queue outage must not lose the delivery: it stays visible as pending
            logger.exception("消息投递 %s 加入队列失败", delivery_id)
            _record_queue_error(delivery_id, f"加入发送队列失败：{exc}")


def _record_queue_error(delivery_id: int, message: str) -> None:
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
        delivery.error = _append_error(delivery.error, delivery.attempts, message)
        delivery.save(update_fields=["error"])


def _append_error(existing: str, attempt: int, message: str) -> str:
    stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")
    line = f"{stamp} 第 {attempt} 次：{message}" if attempt else f"{stamp} {message}"
    return f"{existing}\n{line}" if existing else line


def _email_text(notification: Notification) -> str:
    parts = [notification.body.strip()] if notification.body.strip() else []
    if notification.link:
        parts.append(f"详情：{_absolute(notification.link)}")
    parts.append(f"—— {settings.WAGTAIL_SITE_NAME}（本邮件由系统自动发送，请勿直接回复）")
    return "\n\n".join(parts)


def _sms_text(notification: Notification) -> str:
    text = notification.title
    if notification.body.strip():
        text += "：" + " ".join(notification.body.split())
    if len(text) > SMS_MAX_CHARS:
        text = text[: SMS_MAX_CHARS - 1] + "…"
    if notification.link:
        text += " " + _absolute(notification.link)
    return text


def _send(delivery: Delivery) -> None:
    notification = delivery.notification
    if delivery.channel == EMAIL:
        message = EmailMessage(
            subject=notification.title, body=_email_text(notification), to=[delivery.address]
        )
        for item in notification.attachments or []:
            with default_storage.open(item["name"], "rb") as fh:
                message.attach(
                    item["filename"], fh.read(), item.get("mimetype") or "application/octet-stream"
                )
        if message.send(fail_silently=False) != 1:
            raise DeliveryError("邮件服务器未接受该邮件。")
    elif delivery.channel == SMS:
        send_sms(delivery.address, _sms_text(notification))
    else:
        raise ValueError(f"未知的投递渠道：{delivery.channel}")


def attempt_delivery(*, delivery_id: int) -> Delivery:
    """Try one delivery once. Sent: marked sent. Failed: the error is appended, and the delivery stays pending
    while attempts remain, otherwise it is marked failed. A delivery no longer pending is left alone."""
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().select_related("notification").get(pk=delivery_id)
        if delivery.status != DeliveryStatus.PENDING:
            return delivery
        # Counted before sending, so a worker that dies mid-send still uses up the attempt.
        delivery.attempts += 1
        delivery.last_attempt_at = timezone.now()
        delivery.save(update_fields=["attempts", "last_attempt_at"])

    error = ""
    try:
        _send(delivery)
    except (SmsError, DeliveryError, ValidationError) as exc:
        error = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    except Exception as exc:  # SMTP and socket errors come in many classes; all are a failed attempt
        error = f"{type(exc).__name__}：{exc}"

    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().select_related("notification").get(pk=delivery_id)
        if error:
            delivery.error = _append_error(delivery.error, delivery.attempts, error)
            if delivery.attempts >= max_attempts():
                delivery.status = DeliveryStatus.FAILED
        else:
            delivery.status = DeliveryStatus.SENT
            delivery.sent_at = timezone.now()
        delivery.save(update_fields=["status", "error", "sent_at"])
    return delivery


def run_delivery(*, delivery_id: int) -> str:
    """One attempt, and the next one scheduled if it failed with attempts left. Returns the status."""
    delivery = attempt_delivery(delivery_id=delivery_id)
    if delivery.status == DeliveryStatus.PENDING:  # this attempt failed and attempts remain
        schedule_deliveries([delivery.pk], attempt=delivery.attempts + 1)
    return delivery.status


# ---------------------------------------------------------------------------------------------------------------
# Inbox
# ---------------------------------------------------------------------------------------------------------------


@transaction.atomic
def mark_read(*, user: Any, notification_ids: Iterable[int]) -> int:
    """Mark some of ``user``'s own inbox messages read; ids of other people's messages are ignored."""
    ids = sorted({int(pk) for pk in notification_ids})
    if not ids:
        return 0
    changed = Notification.objects.filter(
        recipient=user, in_inbox=True, read_at__isnull=True, pk__in=ids
    ).update(read_at=timezone.now())
    if changed:
        audit(actor=user, action="core.notification.read", detail={"ids": ids[:100], "count": changed})
    return changed


@transaction.atomic
def mark_all_read(*, user: Any) -> int:
    changed = Notification.objects.filter(recipient=user, in_inbox=True, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if changed:
        audit(actor=user, action="core.notification.read_all", detail={"count": changed})
    return changed
