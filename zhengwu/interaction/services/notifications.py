"""Messages to the person who called: at dispatch, when the reply is released, and after the callback (SMS and
e-mail through core). Units are told by the engine itself (dispatch, 预警, 督办, refusals)."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from zhengwu.core.services.clock import format_moment
from zhengwu.core.services.notifications import EMAIL, SMS, notify
from zhengwu.core.sms import normalize_mobile

logger = logging.getLogger(__name__)


def _caller_channels(order: Any) -> tuple[str, str]:
    phone = ""
    if order.caller_phone:
        try:
            phone = normalize_mobile(order.caller_phone)
        except ValidationError:
            phone = ""  # a landline: no SMS
    return phone, order.caller_email or ""


def caller_message(order: Any, kind: str, details: dict[str, Any]) -> tuple[str, str] | None:
    number = order.tracking_number
    if kind == "dispatched" and details.get("role") == "lead":
        unit = order.lead_unit.name if order.lead_unit else "承办单位"
        due = f"，办理期限{format_moment(order.handle_due_at)}" if order.handle_due_at else ""
        return (f"您的诉求已转{unit}办理", f"【12345】您反映的诉求（工单号{number}）已转{unit}办理{due}。")
    if kind == "reviewed" and details.get("accept"):
        return (
            "您的诉求已办理答复",
            f"【12345】您反映的诉求（工单号{number}）已办理答复：{order.public_reply[:150]}",
        )
    if kind == "callback":
        return ("感谢您的评价", f"【12345】感谢您对工单{number}办理情况的评价（{details.get('rating')}）。")
    return None


def on_dispatch_event(order: Any, kind: str, details: dict[str, Any]) -> None:
    """Called by the engine after the commit of each action on a work order."""
    message = caller_message(order, kind, details)
    if message is None:
        return
    phone, email = _caller_channels(order)
    if not phone and not email:
        return
    channels = [c for c, address in ((SMS, phone), (EMAIL, email)) if address]
    try:
        with transaction.atomic():
            notify(
                title=message[0],
                body=message[1],
                phone=phone or None,
                email=email or None,
                channels=channels,
                category="hotline",
            )
    except ValidationError as exc:  # a bad address on file must not undo the case action
        logger.warning("工单 %s 未能通知来电人：%s", order.tracking_number, exc.messages)
