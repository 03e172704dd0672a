"""Documents for the layout tests: a 请示 going upward, classified and urgent, long enough to fill whole pages."""

from __future__ import annotations

import copy

# Distinct sentences, so that no line repeats another and line breaks fall in different places.
SENTENCES = [
    "近年来我局围绕乡村振兴战略，持续推进高标准农田建设，全县累计建成高标准农田十二万亩。",
    "但部分乡镇灌溉渠系老化失修，末级渠道淤塞严重，旱季时有农户抢水纠纷发生。",
    "经实地踏勘，需新建和改造斗渠、农渠共计四十三公里，配套建设节制闸、分水闸一百一十座。",
    "项目拟分两期实施，第一期覆盖城关镇、石桥乡和柳林镇，第二期覆盖其余五个乡镇。",
    "资金来源为中央财政补助、省级配套和县级统筹三部分，县级统筹部分已列入明年预算草案。",
    "为保证工程质量，我局将聘请有资质的监理单位全程监理，并邀请受益村民代表参与质量监督。",
    "工程完工后，由乡镇水利站会同村民委员会组建用水户协会，负责日常管护和用水调度。",
    "管护经费按照谁受益谁负担的原则筹集，县财政对困难村给予适当补助，确保长效运行。",
    "同时，我局将结合农业技术推广，在项目区示范推广水肥一体化和高效节水灌溉技术。",
    "预计项目全部建成后，可新增和改善灌溉面积三万八千亩，年增粮食产量约四百万公斤。",
    "项目区农户人均年增收可达六百元以上，对巩固拓展脱贫攻坚成果具有重要意义。",
    "上述事项已经局党组会议研究同意，并征求了县发展改革局、县财政局和县水利局的意见。",
]


def long_text(start: int, count: int) -> str:
    return "".join(SENTENCES[(start + i) % len(SENTENCES)] for i in range(count))


def request_document() -> dict:
    """A 请示 from an agriculture bureau to the county government: 签发人, 份号, 密级, 紧急程度, four heading levels."""
    body = [
        {"type": "paragraph", "text": long_text(0, 3)},
        {"type": "heading", "level": 1, "text": "项目基本情况"},
        {"type": "paragraph", "text": long_text(3, 4)},
        {"type": "heading", "level": 2, "text": "建设内容和规模"},
        {"type": "paragraph", "text": long_text(5, 6)},
        {"type": "heading", "level": 3, "text": "渠系工程"},
        {"type": "paragraph", "text": long_text(1, 7)},
        {"type": "heading", "level": 4, "text": "斗渠改造"},
        {"type": "paragraph", "text": long_text(8, 9)},
        {"type": "heading", "level": 1, "text": "资金筹措和管护机制"},
        {"type": "paragraph", "text": long_text(4, 10)},
        {"type": "paragraph", "text": long_text(2, 8)},
        {"type": "paragraph", "text": "妥否，请批示。"},
    ]
    return {
        "kind": "请示",
        "issuers": [{"name": "示范县农业农村局", "code": "11339900MB0000000Q"}],
        "number": {"code": "示农发", "year": 2026, "serial": 7},
        "signers": ["周建国"],
        "title": "示范县农业农村局关于申请实施灌区节水改造项目的请示",
        "to": ["县人民政府"],
        "cc": ["县发展和改革局", "县财政局"],
        "body": body,
        "attachments": ["灌区节水改造项目实施方案", "项目资金概算表"],
        "date": "2026-11-30",
        "secret": {"level": "秘密", "term": "1年"},
        "copy_number": "37",
        "urgency": "特急",
        "printer": "示范县农业农村局办公室",
        "print_date": "2026-12-01",
        "seal": False,
    }


def variant(**changes) -> dict:
    data = copy.deepcopy(request_document())
    for key, value in changes.items():
        if value is None and key in data:
            del data[key]
        else:
            data[key] = value
    return data


def letter_document() -> dict:
    """A 函 in the 信函 format (GB/T 9704-2012 10.1): no 签发人, the 版记 without 印发机关."""
    return variant(form="信函", kind="函", signers=None)


def minutes_document() -> dict:
    """A 纪要 in the 纪要 format (10.3): issue number instead of a 发文字号, attendance lines, no seal."""
    data = variant(
        kind="纪要",
        signers=None,
        number={"serial": 12, "year": 2026},
        title="示范县农业农村局局务会议纪要",
        to=None,
        attendance={
            "出席": ["县农业农村局 周建国、张丽、王海", "县财政局 李明华", "县水利局 赵强"],
            "请假": ["县农业农村局 孙伟"],
            "列席": ["县发展和改革局 钱敏"],
        },
    )
    del data["urgency"], data["secret"], data["copy_number"]
    return data
