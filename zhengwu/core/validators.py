"""Validators for the identifiers that organizations and staff carry.

- 统一社会信用代码 (GB 32100-2015): 18 characters from a 31-character set; the last one is a check character.
- 行政区划代码 (GB/T 2260, with the 12-digit statistical division code for towns and streets).
- The short organization ``code`` used inside tracking numbers and index numbers.
- Mainland mobile phone numbers (used for SMS notifications).

Every validator raises :class:`django.core.exceptions.ValidationError` with a message in Chinese that names the
offending value, so that the same message can be shown in a form, an import error table and the console.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# GB 32100-2015 annex: registration authorities (position 1). Position 2 is the kind of organization within the
# authority, a digit 1–9 in every published table.
CREDIT_CODE_AUTHORITIES = {
    "1": "机构编制",
    "2": "外交",
    "3": "司法行政",
    "4": "文化",
    "5": "民政",
    "6": "旅游",
    "7": "宗教",
    "8": "工会",
    "9": "市场监督管理（工商）",
    "A": "中央军委改革和编制办公室",
    "N": "农业",
    "Y": "其他",
}

# First two digits of GB/T 2260 codes: provinces, autonomous regions, municipalities, Taiwan, Hong Kong, Macao.
PROVINCE_CODES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82".split()
)
# GB/T 2260 assigns no code beginning with 99; the demonstration county uses it so that its data can never be
# mistaken for a real county's.
DEMO_PROVINCE_CODE = "99"

ORG_CODE_RE = re.compile(r"^[A-Z0-9]{2,12}$")
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def credit_code_check_char(prefix17: str) -> str:
    """The 18th character of a credit code whose first 17 characters are ``prefix17``."""
    if len(prefix17) != 17:
        raise ValueError("统一社会信用代码的前缀应为 17 位。")
    total = 0
    for char, weight in zip(prefix17, CREDIT_CODE_WEIGHTS, strict=True):
        index = CREDIT_CODE_CHARSET.find(char)
        if index < 0:
            raise ValueError(f"统一社会信用代码中不能出现字符“{char}”。")
        total += index * weight
    check = 31 - total % 31
    return CREDIT_CODE_CHARSET[0 if check == 31 else check]


def make_credit_code(prefix17: str) -> str:
    """Append the check character to a 17-character prefix, e.g. for demonstration data.

    The prefix is validated like a full code (registration authority, kind, division code), so that the result
    always passes :func:`validate_credit_code`.
    """
    prefix17 = prefix17.strip().upper()
    code = prefix17 + credit_code_check_char(prefix17)
    validate_credit_code(code)
    return code


def validate_credit_code(value: str) -> None:
    """Validate a 统一社会信用代码 (GB 32100-2015)."""
    if value is None:
        raise ValidationError("请填写统一社会信用代码。", code="required")
    if len(value) != 18:
        raise ValidationError(
            "统一社会信用代码“%(value)s”应为 18 位，实际为 %(length)d 位。",
            code="length",
            params={"value": value, "length": len(value)},
        )
    bad = sorted({char for char in value if char not in CREDIT_CODE_CHARSET})
    if bad:
        raise ValidationError(
            "统一社会信用代码“%(value)s”含有不允许的字符：%(chars)s（只能使用数字和除 I、O、S、V、Z 以外的大写字母）。",
            code="charset",
            params={"value": value, "chars": "、".join(bad)},
        )
    if value[0] not in CREDIT_CODE_AUTHORITIES:
        raise ValidationError(
            "统一社会信用代码“%(value)s”第 1 位（登记管理部门代码）“%(char)s”无效。",
            code="authority",
            params={"value": value, "char": value[0]},
        )
    if value[1] not in "123456789":
        raise ValidationError(
            "统一社会信用代码“%(value)s”第 2 位（机构类别代码）“%(char)s”无效，应为数字 1–9。",
            code="kind",
            params={"value": value, "char": value[1]},
        )
    if not value[2:8].isdigit():
        raise ValidationError(
            "统一社会信用代码“%(value)s”第 3–8 位（登记管理机关行政区划码）“%(division)s”应为 6 位数字。",
            code="division",
            params={"value": value, "division": value[2:8]},
        )
    expected = credit_code_check_char(value[:17])
    if value[17] != expected:
        raise ValidationError(
            "统一社会信用代码“%(value)s”校验位错误：第 18 位应为“%(expected)s”，请核对是否抄错。",
            code="checksum",
            params={"value": value, "expected": expected},
        )


DIVISION_LEVEL_COUNTY = "county"
DIVISION_LEVEL_TOWN = "town"


def validate_division_code(value: str, *, level: str | None = None) -> None:
    """Validate a 行政区划代码: 6 digits for a county-level division, 12 digits for a town or street.

    ``level`` is ``"county"`` or ``"town"`` when the kind of organization fixes the length; ``None`` accepts either.
    """
    if not value.isdigit() or len(value) not in (6, 12):
        raise ValidationError(
            "行政区划代码“%(value)s”应为 6 位（县级）或 12 位（乡镇、街道）数字。",
            code="format",
            params={"value": value},
        )
    if value[:2] not in PROVINCE_CODES and value[:2] != DEMO_PROVINCE_CODE:
        raise ValidationError(
            "行政区划代码“%(value)s”的前两位“%(prefix)s”不是有效的省级代码。",
            code="province",
            params={"value": value, "prefix": value[:2]},
        )
    if len(value) == 12:
        if value[6:9] == "000" or value[9:] != "000":
            raise ValidationError(
                "乡镇（街道）行政区划代码“%(value)s”格式不对：第 7–9 位为乡级代码，不能为 000；第 10–12 位应为 000。",
                code="town",
                params={"value": value},
            )
    if level == DIVISION_LEVEL_COUNTY and len(value) != 6:
        raise ValidationError(
            "该类机构的行政区划代码应为 6 位县级代码，“%(value)s”为 %(length)d 位。",
            code="level",
            params={"value": value, "length": len(value)},
        )
    if level == DIVISION_LEVEL_TOWN and len(value) != 12:
        raise ValidationError(
            "乡镇、街道的行政区划代码应为 12 位，“%(value)s”为 %(length)d 位。",
            code="level",
            params={"value": value, "length": len(value)},
        )


def validate_org_code(value: str) -> None:
    """The short code of an organization: 2–12 upper-case letters or digits, e.g. ``FGW``."""
    if not ORG_CODE_RE.match(value or ""):
        raise ValidationError(
            "机构编码“%(value)s”无效：应为 2–12 位大写字母或数字，如 FGW。",
            code="org_code",
            params={"value": value},
        )


def validate_mobile_phone(value: str) -> None:
    """A mainland mobile number of 11 digits (notifications are sent to it by SMS)."""
    if not MOBILE_RE.match(value or ""):
        raise ValidationError(
            "手机号码“%(value)s”无效：应为 11 位数字，以 1 开头。",
            code="mobile",
            params={"value": value},
        )
