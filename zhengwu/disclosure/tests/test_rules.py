"""Rules as data: fee brackets (国办函〔2020〕109号), the 索引号 pattern, the classifications and outcome labels."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from zhengwu.disclosure.models import DisclosureSettings, Genre, Theme
from zhengwu.disclosure.rules import outcome_from_label, outcomes
from zhengwu.disclosure.services import catalogue
from zhengwu.disclosure.services.fees import per_piece_rate, quote_per_page, quote_per_piece


@pytest.mark.parametrize(
    ("position", "rate"),
    [
        (1, 0),
        (10, 0),
        (11, 100),
        (30, 100),
        (31, 200),
        (40, 200),
        (41, 300),
        (50, 300),
        (51, 400),
        (60, 400),
        (61, 500),
        (75, 600),
    ],
)
def test_per_piece_brackets(position, rate):
    """1–10 free; 11–30 → 100; 31–40 → 200; 41–50 → 300; each further block of 10 → +100 per 件."""
    assert per_piece_rate(position) == rate
    assert quote_per_piece(position).amount == Decimal(rate)


@pytest.mark.parametrize(
    ("pages", "amount"),
    # 1–30 free; 31–100 × 10; 101–200 × 20; 201+ × 40, each bracket's pages at its own rate.
    [(30, 0), (31, 10), (100, 700), (101, 720), (200, 2700), (201, 2740), (250, 4700)],
)
def test_per_page_is_progressive(pages, amount):
    assert quote_per_page(pages).amount == Decimal(amount)


def test_quote_explains_the_brackets():
    assert quote_per_page(250).basis == (
        "共250页，按量超额累进计收：第1—30页免费；第31—100页共70页×10元=700元；第101—200页共100页×20元=2000元；"
        "第201—250页共50页×40元=2000元"
    )
    assert "第51—60件区间，按每件400元计收" in quote_per_piece(55).basis
    with pytest.raises(ValidationError):
        quote_per_page(0)


@pytest.mark.django_db
def test_classifications_loaded_from_rules():
    tops = Theme.objects.filter(parent__isnull=True)
    assert tops.count() == 22
    assert list(Theme.objects.filter(parent__name="综合政务").values_list("name", flat=True)) == [
        "政务公开",
        "政务督查",
        "应急管理",
        "电子政务",
        "文秘工作",
        "保密工作",
        "信访",
        "参事、文史",
        "其他",
    ]
    assert list(Genre.objects.values_list("name", flat=True)[:4]) == ["政府令", "决定", "公告", "通告"]


def test_outcome_labels_are_parsed_leniently():
    assert len(outcomes()) == 2 + 8 + 3 + 5 + 3
    assert outcome_from_label("（三）不予公开/4.保护第三方合法权益").code == "withheld.third_party"
    assert outcome_from_label(" (三)不予公开 / 4.保护第三方合法权益 ").code == "withheld.third_party"
    assert outcome_from_label(
        "（六）其他处理/1.申请人无正当理由逾期不补正，行政机关不再处理其政府信息公开申请"
    ).code == ("other.no_correction")
    assert outcome_from_label("（一）予以公开").code == "published"
    assert outcome_from_label("（三）不予公开") is None  # a group with rows needs its row


@pytest.mark.django_db
def test_index_number_pattern_is_configurable(county, officer):
    settings_row = DisclosureSettings.load()
    settings_row.index_number_pattern = "{org_code}-{year}-{serial:04d}"
    settings_row.full_clean()
    settings_row.save()
    item = catalogue.create_item(
        organization=county["fgw"],
        actor=officer,
        title="a",
        summary="b",
        theme=Theme.objects.get(code="0201"),
        genre=Genre.objects.get(name="通知"),
        written_on=dt.date(2026, 2, 3),
    )
    assert item.index_number == "FGW-2026-0001"
    settings_row.index_number_pattern = "{year}-{serial}"
    with pytest.raises(ValidationError, match="credit_code"):
        settings_row.full_clean()
