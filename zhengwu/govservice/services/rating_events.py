"""What the rater hears about the rectification of a 差评 (called by the dispatch engine after each commit)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from zhengwu.core.services.notifications import SMS, notify


def on_rectification_event(rectification: Any, kind: str, details: dict[str, Any]) -> None:
    if kind not in ("dispatched", "finished", "withdrawn"):
        return
    rating = rectification.rating
    if not rating.rater_phone:
        return
    name = rating.version.name
    if kind == "dispatched":
        body = (
            f"您对“{name}”的评价已收到，{rating.organization.name}将与您联系核实并整改，"
            f"整改编号 {rectification.tracking_number}。"
        )
    elif kind == "finished":
        body = f"您对“{name}”的差评已整改完毕（整改编号 {rectification.tracking_number}）：{rectification.public_reply}"
    else:
        body = f"您对“{name}”的差评经申诉复核不予整改（整改编号 {rectification.tracking_number}）。"
    try:
        with transaction.atomic():
            notify(
                title="政务服务好差评",
                body=body[:500],
                phone=rating.rater_phone,
                channels=(SMS,),
                category="govservice",
            )
    except ValidationError:
        pass
