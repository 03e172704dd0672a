"""信息处理费 brackets (rules/fees.json): 按件 per applicant per calendar month, 按量 per page, both progressive.

Pure computations; :func:`zhengwu.disclosure.services.requests.notify_fee` turns a quote into a 收费通知.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError

from ..models import FeeMethod
from ..rules import load


@dataclass(frozen=True)
class FeeQuote:
    method: str
    quantity: int
    amount: Decimal
    basis: str  # how the amount was reached, in the words of the 收费通知

    @property
    def is_free(self) -> bool:
        return self.amount == 0


def _rules() -> dict:
    return load("fees")


def effective_from() -> dt.date:
    return dt.date.fromisoformat(_rules()["effective_from"])


def per_piece_rate(position: int) -> int:
    """The 元/件 charged for an applicant's ``position``-th application in a calendar month."""
    if position < 1:
        raise ValidationError("申请件数必须是正整数。")
    spec = _rules()["per_piece"]
    for bracket in spec["brackets"]:
        if bracket["from"] <= position <= bracket["to"]:
            return bracket["rate"]
    last = spec["brackets"][-1]
    beyond = spec["beyond"]
    steps = math.ceil((position - last["to"]) / beyond["step_size"])
    return last["rate"] + steps * beyond["step_increase"]


def quote_per_piece(position: int) -> FeeQuote:
    """按件计收 for the ``position``-th application of the same applicant in the month."""
    rate = per_piece_rate(position)
    spec = _rules()["per_piece"]
    bracket = next(
        (b for b in spec["brackets"] if b["from"] <= position <= b["to"]),
        None,
    )
    if bracket is not None:
        span = f"第{bracket['from']}—{bracket['to']}件"
    else:
        last = spec["brackets"][-1]["to"]
        size = spec["beyond"]["step_size"]
        low = last + (math.ceil((position - last) / size) - 1) * size + 1
        span = f"第{low}—{low + size - 1}件"
    if rate == 0:
        basis = f"为同一申请人本自然月内提出的第{position}件申请，属于{span}免费区间"
    else:
        basis = f"为同一申请人本自然月内提出的第{position}件申请，属于{span}区间，按每件{rate}元计收"
    return FeeQuote(FeeMethod.PER_PIECE, position, Decimal(rate), basis)


def quote_per_page(pages: int) -> FeeQuote:
    """按量计收 for ``pages`` pages, progressive: each bracket's pages at that bracket's rate."""
    if not isinstance(pages, int) or isinstance(pages, bool) or pages < 1:
        raise ValidationError("页数必须是正整数。")
    total = 0
    parts: list[str] = []
    for bracket in _rules()["per_page"]["brackets"]:
        upper = bracket["to"] if bracket["to"] is not None else pages
        count = max(0, min(pages, upper) - bracket["from"] + 1)
        if count == 0:
            continue
        span = f"第{bracket['from']}—{min(pages, upper)}页" if count > 1 else f"第{bracket['from']}页"
        if bracket["rate"] == 0:
            parts.append(f"{span}免费")
        else:
            subtotal = count * bracket["rate"]
            total += subtotal
            parts.append(f"{span}共{count}页×{bracket['rate']}元={subtotal}元")
    basis = f"共{pages}页，按量超额累进计收：" + "；".join(parts)
    return FeeQuote(FeeMethod.PER_PAGE, pages, Decimal(total), basis)


def quote(method: str, quantity: int) -> FeeQuote:
    if method == FeeMethod.PER_PIECE:
        return quote_per_piece(quantity)
    if method == FeeMethod.PER_PAGE:
        return quote_per_page(quantity)
    raise ValidationError("计费方式无效，应为按件计收或按量计收。")
