"""One 公文 as the layout engine sees it, built from the JSON that ``zhengwu oa render`` reads.

Every check names the JSON field it refused, in Chinese, and quotes what was given.
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"

# 《党政机关公文处理工作条例》第八条
KINDS = (
    "决议",
    "决定",
    "命令",
    "令",
    "公报",
    "公告",
    "通告",
    "意见",
    "通知",
    "通报",
    "报告",
    "请示",
    "批复",
    "议案",
    "函",
    "纪要",
)
SECRET_LEVELS = ("绝密", "机密", "秘密")
URGENCIES = ("特急", "加急")
# GB/T 9704-2012: 文件格式 (chapter 7), 信函格式 (10.1) and 纪要格式 (10.3).
FORMS = ("文件", "信函", "纪要")
# 纪要 attendance lines in the standard's order (10.3): 出席, then 请假, then 列席.
ATTENDANCE_LABELS = ("出席", "请假", "列席")
CODE_RE = re.compile(r"^[\u4e00-\u9fa5A-Za-z]+$")
# A heading text that already carries a structure number: 一、 （一） 1. （1） (and their half-/full-width variants).
NUMBERED_RE = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|\d+[.．]|[（(]\d+[）)])"
)


@cache
def layout_rules() -> dict:
    return json.loads((RULES_DIR / "gbt9704_layout.json").read_text(encoding="utf-8"))


class DocumentError(ValueError):
    """Bad input for one field; ``field`` is the JSON path, the message is Chinese."""

    def __init__(self, field_path: str, message: str):
        self.field = field_path
        super().__init__(f"字段“{field_path}”：{message}")


@dataclass(frozen=True)
class Issuer:
    name: str
    code: str = ""


@dataclass(frozen=True)
class Block:
    type: str  # "heading" | "paragraph"
    text: str
    level: int = 0


@dataclass(frozen=True)
class OfficialDocument:
    kind: str
    issuers: tuple[Issuer, ...]
    number_code: str
    number_year: int
    number_serial: int
    title: str
    body: tuple[Block, ...]
    date: datetime.date
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    signers: tuple[str, ...] = ()
    attachments: tuple[str, ...] = ()
    secret_level: str = ""
    secret_term: str = ""
    copy_number: str = ""
    urgency: str = ""
    printer: str = ""
    print_date: datetime.date | None = None
    note: str = ""
    seal: bool = False
    extra: dict = field(default_factory=dict)
    # "文件" (the default), "信函" or "纪要"; callers building a 纪要 pass form="纪要" themselves.
    form: str = "文件"
    # 纪要 only: the mark's text when not “<first issuer>纪要”, and (label, names) attendance lines.
    mark: str = ""
    attendance: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def number(self) -> str:
        """发文字号: 机关代字〔年份〕顺序号号 — full year, 六角括号, no 第, no zero padding."""
        return f"{self.number_code}〔{self.number_year}〕{self.number_serial}号"

    @property
    def display_number(self) -> str:
        """The number printed in the 版头: the 发文字号, or for a 纪要 its issue (“第12期”, pattern in the rules)."""
        if self.form == "纪要":
            pattern = layout_rules()["forms"]["纪要"]["number_format"]
            return pattern.format(code=self.number_code, year=self.number_year, serial=self.number_serial)
        return self.number

    @property
    def is_upward(self) -> bool:
        return self.kind in layout_rules()["upward_kinds"]["kinds"]

    @property
    def issuer_mark(self) -> str:
        """发文机关标志: the 主办 (first) issuer's name + “文件”; joint documents list every issuer.

        信函 (10.1): the 主办 issuer's name alone. 纪要 (10.3): “<issuer>纪要”, or the name given.
        """
        if self.form == "信函":
            return self.issuers[0].name
        if self.form == "纪要":
            return self.mark or self.issuers[0].name + "纪要"
        return "".join(issuer.name for issuer in self.issuers) + "文件"


def chinese_date(value: datetime.date) -> str:
    """``2026年12月6日``: Arabic digits, full year, no zero padding (GB/T 9704-2012 7.3.5)."""
    return f"{value.year}年{value.month}月{value.day}日"


def _text(data: dict, key: str, *, required: bool = True, path: str | None = None) -> str:
    path = path or key
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise DocumentError(path, "必须填写。")
        return ""
    if not isinstance(value, str):
        raise DocumentError(path, f"应为文字，收到的是 {json.dumps(value, ensure_ascii=False)}。")
    return value.strip()


def _text_list(data: dict, key: str) -> tuple[str, ...]:
    value = data.get(key)
    if value is None:
        return ()
    if not isinstance(value, list):
        raise DocumentError(key, f"应为文字列表，收到的是 {json.dumps(value, ensure_ascii=False)}。")
    items = []
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise DocumentError(
                f"{key}[{index}]", f"应为非空文字，收到的是 {json.dumps(item, ensure_ascii=False)}。"
            )
        items.append(item.strip())
    return tuple(items)


def _date(data: dict, key: str, *, required: bool = True) -> datetime.date | None:
    raw = _text(data, key, required=required)
    if not raw:
        return None
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        raise DocumentError(key, f"应为 YYYY-MM-DD 格式的日期，收到的是“{raw}”。") from None


def _integer(data: dict, key: str, path: str) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise DocumentError(path, f"应为整数，收到的是 {json.dumps(value, ensure_ascii=False)}。")
    return value


def parse_document(data: object) -> OfficialDocument:
    """Validate the render JSON (issue 11, item 6) and build the document; raises :class:`DocumentError`."""
    if not isinstance(data, dict):
        raise DocumentError("（顶层）", "应为 JSON 对象。")
    kind = _text(data, "kind")
    if kind not in KINDS:
        raise DocumentError("kind", f"“{kind}”不是法定文种，应为：{'、'.join(KINDS)}。")

    issuers_raw = data.get("issuers")
    if not isinstance(issuers_raw, list) or not issuers_raw:
        raise DocumentError("issuers", "至少要有一个发文机关。")
    issuers = []
    for index, item in enumerate(issuers_raw):
        if not isinstance(item, dict):
            raise DocumentError(f"issuers[{index}]", "应为含 name 和 code 的对象。")
        issuers.append(
            Issuer(
                name=_text(item, "name", path=f"issuers[{index}].name"),
                code=_text(item, "code", required=False, path=f"issuers[{index}].code"),
            )
        )

    form = data.get("form")
    if form is None:
        form = layout_rules()["forms"]["default_by_kind"].get(kind, "文件")
    elif form not in FORMS:
        raise DocumentError(
            "form", f"公文格式应为 {'、'.join(FORMS)} 之一，收到的是 {json.dumps(form, ensure_ascii=False)}。"
        )
    if form == "纪要" and kind != "纪要":
        raise DocumentError("form", f"纪要格式只用于纪要，本件文种为“{kind}”。")

    number = data.get("number")
    if not isinstance(number, dict):
        raise DocumentError("number", "发文字号应为含 code、year、serial 的对象。")
    code = _text(number, "code", path="number.code", required=form != "纪要")
    if code and not CODE_RE.match(code):
        raise DocumentError("number.code", f"机关代字只能由汉字或字母组成，收到的是“{code}”。")
    year = _integer(number, "year", "number.year")
    if not 1900 <= year <= 2099:
        raise DocumentError("number.year", f"年份应写全四位，收到的是 {year}。")
    serial = _integer(number, "serial", "number.serial")
    if serial < 1:
        raise DocumentError("number.serial", f"顺序号应为正整数，收到的是 {serial}。")

    signers = _text_list(data, "signers")
    if kind in layout_rules()["upward_kinds"]["kinds"] and not signers:
        raise DocumentError("signers", f"上行文（{kind}）必须标注签发人。")

    body_raw = data.get("body")
    if not isinstance(body_raw, list) or not body_raw:
        raise DocumentError("body", "正文不能为空。")
    body = []
    for index, item in enumerate(body_raw):
        path = f"body[{index}]"
        if not isinstance(item, dict):
            raise DocumentError(path, "应为含 type 和 text 的对象。")
        block_type = item.get("type")
        text = _text(item, "text", path=f"{path}.text")
        if block_type == "paragraph":
            body.append(Block("paragraph", text))
        elif block_type == "heading":
            level = item.get("level")
            if isinstance(level, bool) or level not in (1, 2, 3, 4):
                raise DocumentError(
                    f"{path}.level",
                    f"标题层次应为 1 至 4，收到的是 {json.dumps(level, ensure_ascii=False)}。",
                )
            if NUMBERED_RE.match(text):
                raise DocumentError(
                    f"{path}.text", f"标题层次序数由排版自动编排，文字中不要再写序数：“{text}”。"
                )
            body.append(Block("heading", text, level))
        else:
            raise DocumentError(
                f"{path}.type",
                f"应为 heading 或 paragraph，收到的是 {json.dumps(block_type, ensure_ascii=False)}。",
            )

    secret_level = secret_term = copy_number = ""
    secret = data.get("secret")
    if secret is not None:
        if not isinstance(secret, dict):
            raise DocumentError("secret", "应为 null 或含 level、term 的对象。")
        secret_level = _text(secret, "level", path="secret.level")
        if secret_level not in SECRET_LEVELS:
            raise DocumentError(
                "secret.level", f"密级应为 {'、'.join(SECRET_LEVELS)} 之一，收到的是“{secret_level}”。"
            )
        secret_term = _text(secret, "term", required=False, path="secret.term")
        copy_number = _text(data, "copy_number", required=False)
        if copy_number and not re.fullmatch(r"\d{1,6}", copy_number):
            raise DocumentError("copy_number", f"份号应为不超过 6 位的阿拉伯数字，收到的是“{copy_number}”。")
        copy_number = copy_number.zfill(6) if copy_number else ""

    urgency = data.get("urgency")
    if urgency is not None and urgency not in URGENCIES:
        raise DocumentError(
            "urgency",
            f"紧急程度应为 null、特急 或 加急，收到的是 {json.dumps(urgency, ensure_ascii=False)}。",
        )

    seal = data.get("seal", False)
    if not isinstance(seal, bool):
        raise DocumentError("seal", f"应为 true 或 false，收到的是 {json.dumps(seal, ensure_ascii=False)}。")

    printer = _text(data, "printer", required=False)
    print_date = _date(data, "print_date", required=False)
    if print_date and not printer:
        raise DocumentError("printer", "填写了印发日期，也要填写印发机关。")

    mark = _text(data, "mark", required=False)
    if mark and form != "纪要":
        raise DocumentError("mark", "只有纪要格式可以另行指定标志文字。")
    attendance = _attendance(data.get("attendance"), form)
    if form == "纪要" and seal:
        raise DocumentError("seal", "纪要格式不署发文机关、不加盖印章。")

    return OfficialDocument(
        kind=kind,
        issuers=tuple(issuers),
        number_code=code,
        number_year=year,
        number_serial=serial,
        title=_text(data, "title"),
        body=tuple(body),
        date=_date(data, "date"),
        to=_text_list(data, "to"),
        cc=_text_list(data, "cc"),
        signers=signers,
        attachments=_text_list(data, "attachments"),
        secret_level=secret_level,
        secret_term=secret_term,
        copy_number=copy_number,
        urgency=urgency or "",
        printer=printer,
        print_date=print_date,
        note=_text(data, "note", required=False),
        seal=seal,
        form=form,
        mark=mark,
        attendance=attendance,
    )


def _attendance(value: object, form: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``{"出席": [...], "请假": [...], "列席": [...]}`` → lines in the standard's order (纪要 only)."""
    if value is None:
        return ()
    if form != "纪要":
        raise DocumentError("attendance", "出席、请假、列席人员名单只用于纪要格式。")
    if not isinstance(value, dict):
        raise DocumentError("attendance", "应为含 出席、请假、列席 名单的对象。")
    unknown = [key for key in value if key not in ATTENDANCE_LABELS]
    if unknown:
        raise DocumentError(f"attendance.{unknown[0]}", f"只能是 {'、'.join(ATTENDANCE_LABELS)} 之一。")
    lines = []
    for label in ATTENDANCE_LABELS:
        names = _text_list(value, label) if label in value else ()
        if names:
            lines.append((label, names))
    return tuple(lines)


CHINESE_NUMERALS = "零一二三四五六七八九"


def chinese_numeral(value: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (heading numbers up to 99)."""
    if value < 10:
        return CHINESE_NUMERALS[value]
    tens, units = divmod(value, 10)
    return (CHINESE_NUMERALS[tens] if tens > 1 else "") + "十" + (CHINESE_NUMERALS[units] if units else "")


def numbered_headings(body: tuple[Block, ...]) -> list[tuple[Block, str]]:
    """Each block with its structure number: 一、 （一） 1. （1）, lower levels restarting under a higher one."""
    counters = [0, 0, 0, 0]
    out = []
    for block in body:
        if block.type != "heading":
            out.append((block, ""))
            continue
        counters[block.level - 1] += 1
        for lower in range(block.level, 4):
            counters[lower] = 0
        n = counters[block.level - 1]
        prefix = {1: f"{chinese_numeral(n)}、", 2: f"（{chinese_numeral(n)}）", 3: f"{n}.", 4: f"（{n}）"}[
            block.level
        ]
        out.append((block, prefix))
    return out
