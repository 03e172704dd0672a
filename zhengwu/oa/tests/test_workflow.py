"""公文 workflows (services/workflow.py, services/registers.py) against the contract — issue 11 and
../shared/domain/oa.md §1 (条例 Art. 24 收文, Art. 25 发文, 拟制 起草 → 审核 → 签发, 会签 of every joint issuer, 成文日期 =
the last signer's date, 签发人 on 上行文) and §2 (发文字号 ``代字〔YYYY〕N号``: six-corner brackets, no 第, no zero
padding; per 代字 per year, sequential, no gap, no reuse, allocated at 登记 inside the transaction).

The county is built here (not the demo's): 青川县人民政府 whose documents are handled by 青川县人民政府办公室 (its
办文机构), two bureaus (教育局, 卫生健康局) and a town (桃源镇). Seals are signed with a development key kept in a
temporary data directory, as the seal tests do.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from openpyxl import load_workbook

from zhengwu.core.models import AuditLog, Organization, OrganizationKind, Staff
from zhengwu.core.models.notifications import Notification
from zhengwu.core.services.orgs import create_organization
from zhengwu.core.services.staff import assign_roles, create_staff, sync_roles
from zhengwu.core.validators import make_credit_code
from zhengwu.oa.models import (
    Circulation,
    IncomingDocument,
    IncomingState,
    IssuerProfile,
    NumberSequence,
    OutgoingDocument,
    OutgoingStep,
    Revision,
    Seal,
)
from zhengwu.oa.services import registers
from zhengwu.oa.services import workflow as wf

pytestmark = pytest.mark.django_db

DIVISION = "990303"
PASSWORD = "Qingchuan#2026river"
NUMBER_RE = r"^[\u4e00-\u9fa5A-Za-z]+\u3014(19|20)\d{2}\u3015[1-9]\d*号$"


# -- the county ----------------------------------------------------------------------------------------------------


@dataclass
class County:
    gov: Organization  # 青川县人民政府
    office: Organization  # 青川县人民政府办公室 (办文机构 of the government)
    edu: Organization  # 青川县教育局
    health: Organization  # 青川县卫生健康局
    town: Organization  # 桃源镇
    people: SimpleNamespace
    seals: dict


def _credit(serial: int, kind: str = "11") -> str:
    return make_credit_code(f"{kind}{DIVISION}{serial:09d}")


def _person(username: str, name: str, org: Organization | None, *roles: str) -> Staff:
    staff = create_staff(
        username=username, organization=org, display_name=name, password=PASSWORD, actor=None
    )
    if roles:
        assign_roles(staff=staff, roles=list(roles), actor=None)
    return Staff.objects.get(pk=staff.pk)


def build_county(data_dir) -> County:
    from django.conf import settings

    from zhengwu.oa.services.certs import parse_certificate
    from zhengwu.oa.services.signer import configured_signer, default_seal_png

    assert str(settings.DATA_DIR) == str(data_dir)
    sync_roles()
    wf.load_workflow_rules()
    gov = create_organization(
        name="青川县人民政府",
        kind=OrganizationKind.GOVERNMENT,
        code="QCX",
        credit_code=_credit(1),
        division_code=DIVISION,
        actor=None,
    )

    def dept(name, code, serial, kind=OrganizationKind.DEPARTMENT, **extra):
        return create_organization(
            name=name, kind=kind, code=code, credit_code=_credit(serial), parent=gov, actor=None, **extra
        )

    office = dept("青川县人民政府办公室", "QCZFB", 2, short_name="县府办")
    edu = dept("青川县教育局", "QCJY", 3, short_name="教育局")
    health = dept("青川县卫生健康局", "QCWJ", 4, short_name="卫健局")
    town = dept("桃源镇", "TYZ", 100, kind=OrganizationKind.TOWNSHIP, division_code=f"{DIVISION}100000")
    for org, code, in_code, handled_by in (
        (gov, "青政", "青府收", office),
        (office, "青政办发", "青府办收", None),
        (edu, "青教", "青教收", None),
        (health, "青卫", "青卫收", None),
        (town, "桃政", "", None),
    ):
        IssuerProfile.objects.create(
            organization=org, document_code=code, incoming_code=in_code, office=handled_by
        )
    p = SimpleNamespace(
        gov_clerk=_person("qc_gov_clerk", "陈文书", office, "oa_clerk"),
        gov_director=_person("qc_gov_director", "邹主任", office, "oa_reviewer"),
        gov_deputy=_person("qc_gov_deputy", "魏副主任", office, "oa_reviewer"),
        county_head=_person("qc_county_head", "钱县长", gov, "leader"),
        edu_clerk=_person("qc_edu_clerk", "许文书", edu, "oa_clerk"),
        edu_reviewer=_person("qc_edu_reviewer", "孔科长", edu, "oa_reviewer"),
        edu_head=_person("qc_edu_head", "严局长", edu, "unit_head"),
        edu_liaison=_person("qc_edu_liaison", "华联络员", edu, "liaison"),
        edu_plain=_person("qc_edu_plain", "金干部", edu),
        health_clerk=_person("qc_health_clerk", "吕文书", health, "oa_clerk"),
        health_head=_person("qc_health_head", "施局长", health, "unit_head"),
        town_clerk=_person("qc_town_clerk", "张文书", town, "oa_clerk"),
        town_head=_person("qc_town_head", "孟镇长", town, "unit_head"),
    )
    certificate = parse_certificate(configured_signer().certificate())
    today = timezone.localdate()
    valid_from = max(certificate.not_before.date(), today - dt.timedelta(days=30))
    valid_to = min(certificate.not_after.date(), today + dt.timedelta(days=365))
    seals = {}
    for org, holder in (
        (gov, p.gov_clerk),
        (office, p.gov_clerk),
        (edu, p.edu_clerk),
        (health, p.health_clerk),
        (town, p.town_clerk),
    ):
        seals[org.code] = Seal.objects.create(
            organization=org,
            name=f"{org.name}公文专用章",
            es_id=f"{org.credit_code}0001",
            image=default_seal_png(org.name),
            holder=holder,
            valid_from=valid_from,
            valid_to=valid_to,
        )
    return County(gov, office, edu, health, town, p, seals)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("oa-data")


@pytest.fixture
def county(settings, data_dir, official_calendar, tmp_path) -> County:
    settings.DATA_DIR = data_dir
    settings.ZHENGWU_OA_SIGNER = "software"
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return build_county(data_dir)


class Moment:
    """``timezone.now`` under the test's control (the services read it through ``django.utils.timezone``)."""

    def __init__(self, monkeypatch):
        self.value = None
        real = timezone.now
        monkeypatch.setattr(timezone, "now", lambda: self.value or real())

    def set(self, value: dt.datetime) -> None:
        self.value = value


@pytest.fixture
def moment(monkeypatch) -> Moment:
    return Moment(monkeypatch)


def paragraphs(*texts: str) -> list[dict]:
    return [{"type": "paragraph", "text": t} for t in texts]


def draft(c: County, actor=None, **fields) -> OutgoingDocument:
    values = dict(
        actor=actor or c.people.edu_clerk,
        kind="通知",
        title="青川县教育局关于做好寒假学生安全教育工作的通知",
        body=paragraphs("各中小学校：寒假将至，请切实做好学生假期安全教育工作。"),
        to_orgs=[c.town],
    )
    values.update(fields)
    return wf.create_draft(**values)


def fresh(document):
    return type(document).objects.get(pk=document.pk)


def to_recheck(document, *, reviewer, signer, co_signers=()) -> OutgoingDocument:
    wf.submit_for_review(document=document, actor=document.drafter, reviewers=[reviewer])
    wf.approve_review(document=document, actor=reviewer, opinion="同意")
    for person in co_signers:
        wf.countersign(document=document, actor=person, opinion="同意会签")
    wf.sign(document=document, actor=signer, opinion="同意印发")
    return fresh(document)


def issue(c: County, document, *, reviewer, signer, clerk, co_signers=(), copies=5) -> list[IncomingDocument]:
    to_recheck(document, reviewer=reviewer, signer=signer, co_signers=co_signers)
    wf.recheck(document=document, actor=clerk)
    wf.register(document=document, actor=clerk, copies=copies)
    wf.apply_seal(document=document, actor=clerk, seal=c.seals[document.organization.code])
    return wf.distribute(document=document, actor=clerk)


def edu_notice(c: County, **fields) -> list[IncomingDocument]:
    p = c.people
    document = draft(c, **fields)
    return issue(c, document, reviewer=p.edu_reviewer, signer=p.edu_head, clerk=p.edu_clerk)


# -- 发文: the whole path ------------------------------------------------------------------------------------------


def test_outgoing_path_from_draft_to_distribution(county):
    c, p = county, county.people
    doc = draft(
        c,
        actor=p.gov_clerk,
        organization=c.gov,
        title="青川县人民政府关于开展冬春季森林防火检查的通知",
        body=[
            {"type": "heading", "level": 1, "text": "检查范围"},
            *paragraphs("全县林区及林缘地带。"),
        ],
        to_orgs=[c.edu, c.health],
        cc_orgs=[c.town],
    )
    assert doc.step == OutgoingStep.DRAFT and doc.organization == c.gov
    assert Revision.objects.filter(document=doc).count() == 1

    # each step refuses the wrong person before the right one acts
    with pytest.raises(PermissionDenied):
        wf.submit_for_review(document=doc, actor=p.gov_director, reviewers=[p.gov_director])
    wf.submit_for_review(document=doc, actor=p.gov_clerk, reviewers=[p.gov_director, p.gov_deputy])
    assert fresh(doc).step == OutgoingStep.REVIEW
    with pytest.raises(PermissionDenied):
        wf.approve_review(document=doc, actor=p.edu_reviewer)
    wf.approve_review(document=doc, actor=p.gov_director, opinion="同意")
    assert fresh(doc).step == OutgoingStep.REVIEW  # the second reviewer has not approved yet
    wf.approve_review(document=doc, actor=p.gov_deputy, opinion="同意，请县长签发")
    assert fresh(doc).step == OutgoingStep.SIGN  # no co-issuer: straight to 签发
    with pytest.raises(PermissionDenied):
        wf.sign(document=doc, actor=p.edu_head, opinion="同意")
    with pytest.raises(ValidationError):
        wf.sign(document=doc, actor=p.county_head, opinion="")  # an opinion or 圈阅
    wf.sign(document=doc, actor=p.county_head, circled=True)
    doc = fresh(doc)
    assert doc.step == OutgoingStep.RECHECK
    assert doc.signer == p.county_head and doc.circled and doc.sign_opinion
    assert doc.document_date == timezone.localdate(doc.signed_at)
    with pytest.raises(PermissionDenied):
        wf.recheck(document=doc, actor=p.edu_clerk)
    wf.recheck(document=doc, actor=p.gov_clerk)
    with pytest.raises(PermissionDenied):
        wf.register(document=doc, actor=p.edu_clerk, copies=3)
    with pytest.raises(ValidationError):
        wf.register(document=doc, actor=p.gov_clerk, copies=0)
    number = wf.register(document=doc, actor=p.gov_clerk, copies=30)
    year = timezone.localdate().year
    assert number == f"青政\u3014{year}\u30151号"
    with pytest.raises(ValidationError):
        wf.apply_seal(document=doc, actor=p.gov_clerk, seal=None)
    wf.apply_seal(document=doc, actor=p.gov_clerk, seal=c.seals["QCX"])
    doc = fresh(doc)
    assert doc.step == OutgoingStep.DISTRIBUTE and doc.sealed_file and doc.sealed_at
    assert AuditLog.objects.filter(action="oa.seal.use", target_id=str(c.seals["QCX"].pk)).exists()
    copies = wf.distribute(document=doc, actor=p.gov_clerk)
    doc = fresh(doc)
    assert doc.step == OutgoingStep.ISSUED and doc.issued_at is not None and doc.copies == 30
    assert {(i.organization, i.copy_type) for i in copies} == {
        (c.edu, "to"),
        (c.health, "to"),
        (c.town, "cc"),
    }
    # what was done, in order, by whom
    actions = list(doc.events.values_list("action", "actor__username"))
    assert [a for a, _ in actions] == [
        "draft",
        "submit",
        "approve",
        "approve",
        "sign",
        "recheck",
        "register",
        "seal",
        "distribute",
    ]
    assert actions[4] == ("sign", "qc_county_head")


def test_revisions_are_kept_and_return_with_reason_clears_the_signature(county):
    c, p = county, county.people
    doc = draft(c)
    original = list(doc.body)
    wf.submit_for_review(document=doc, actor=p.edu_clerk, reviewers=[p.edu_reviewer])
    with pytest.raises(PermissionDenied):  # the drafter does not edit during 核稿
        wf.edit_draft(document=doc, actor=p.edu_clerk, title=doc.title, body=paragraphs("另一稿。"))
    first = paragraphs("各中小学校：寒假将至，请切实做好学生假期安全教育和防溺水工作。")
    second = paragraphs("各中小学校：寒假将至，请切实做好学生假期安全教育、防溺水和防火工作。")
    wf.edit_draft(document=doc, actor=p.edu_reviewer, title=doc.title, body=first, note="补充防溺水")
    wf.edit_draft(document=doc, actor=p.edu_reviewer, title=doc.title, body=second, note="补充防火")
    revisions = list(Revision.objects.filter(document=doc).order_by("number"))
    assert [r.number for r in revisions] == [1, 2, 3]
    assert [r.body for r in revisions] == [original, first, second]
    assert [r.author for r in revisions] == [p.edu_clerk, p.edu_reviewer, p.edu_reviewer]
    assert fresh(doc).body == second

    wf.approve_review(document=doc, actor=p.edu_reviewer)
    wf.sign(document=doc, actor=p.edu_head, opinion="同意")
    doc = fresh(doc)
    assert doc.step == OutgoingStep.RECHECK and doc.signer is not None
    # no reason, or a step the document has not passed: refused, nothing changes
    with pytest.raises(ValidationError):
        wf.return_to(document=doc, actor=p.edu_clerk, step=OutgoingStep.REVIEW, reason=" ")
    with pytest.raises(ValidationError):
        wf.return_to(document=doc, actor=p.edu_clerk, step=OutgoingStep.SEAL, reason="用印有误")
    with pytest.raises(ValidationError):  # not a joint document: it never went through 会签
        wf.return_to(document=doc, actor=p.edu_clerk, step=OutgoingStep.COUNTERSIGN, reason="请会签")
    with pytest.raises(PermissionDenied):  # not the person at this step
        wf.return_to(document=doc, actor=p.edu_liaison, step=OutgoingStep.REVIEW, reason="文字需修改")
    assert fresh(doc).step == OutgoingStep.RECHECK and fresh(doc).signer is not None

    wf.return_to(document=doc, actor=p.edu_clerk, step=OutgoingStep.REVIEW, reason="第二段表述不准确")
    doc = fresh(doc)
    assert doc.step == OutgoingStep.REVIEW
    assert doc.signer is None and doc.signed_at is None and doc.document_date is None and not doc.sign_opinion
    assert doc.events.filter(action="return", opinion__contains="第二段表述不准确").exists()
    # the reviewer works again on the returned text; earlier revisions are untouched
    third = paragraphs("各中小学校：寒假将至，现就学生假期安全教育工作通知如下。")
    wf.edit_draft(document=doc, actor=p.edu_reviewer, title=doc.title, body=third)
    assert list(Revision.objects.filter(document=doc).order_by("number").values_list("body", flat=True)) == [
        original,
        first,
        second,
        third,
    ]
    wf.approve_review(document=doc, actor=p.edu_reviewer)
    assert fresh(doc).step == OutgoingStep.SIGN


def test_joint_document_needs_every_countersign_and_dates_from_the_last_signer(county, moment):
    c, p = county, county.people
    tz = timezone.get_current_timezone()
    moment.set(dt.datetime(2026, 12, 1, 9, 0, tzinfo=tz))
    doc = draft(
        c,
        title="青川县教育局 青川县卫生健康局 桃源镇人民政府关于加强校园食品安全管理的意见",
        kind="意见",
        co_issuers=[c.health, c.town],
        to_orgs=[c.gov],
    )
    wf.submit_for_review(document=doc, actor=p.edu_clerk, reviewers=[p.edu_reviewer])
    wf.approve_review(document=doc, actor=p.edu_reviewer)
    doc = fresh(doc)
    assert doc.step == OutgoingStep.COUNTERSIGN
    assert set(doc.countersigns.values_list("organization", flat=True)) == {c.health.pk, c.town.pk}
    with pytest.raises(ValidationError):  # not yet at 签发
        wf.sign(document=doc, actor=p.edu_head, opinion="同意")
    with pytest.raises(PermissionDenied):  # the 主办机关 does not 会签 for a co-issuer
        wf.countersign(document=doc, actor=p.edu_head)
    moment.set(dt.datetime(2026, 12, 2, 10, 0, tzinfo=tz))
    wf.countersign(document=doc, actor=p.health_head, opinion="同意")
    with pytest.raises(PermissionDenied):  # once per issuer
        wf.countersign(document=doc, actor=p.health_head, opinion="同意")
    assert fresh(doc).step == OutgoingStep.COUNTERSIGN
    with pytest.raises(ValidationError):
        wf.sign(document=doc, actor=p.edu_head, opinion="同意")
    moment.set(dt.datetime(2026, 12, 4, 16, 0, tzinfo=tz))
    wf.countersign(document=doc, actor=p.town_head, opinion="同意")
    assert fresh(doc).step == OutgoingStep.SIGN
    moment.set(dt.datetime(2026, 12, 7, 11, 0, tzinfo=tz))
    wf.sign(document=doc, actor=p.edu_head, opinion="同意")
    doc = fresh(doc)
    assert doc.document_date == dt.date(2026, 12, 7)  # the last of the four signatures
    signed = sorted(
        [timezone.localdate(doc.signed_at)]
        + [timezone.localdate(x.signed_at) for x in doc.countersigns.all()]
    )
    assert doc.document_date == signed[-1]
    # returned to 会签, every co-signature and the signature go; they are needed again
    wf.return_to(
        document=doc, actor=p.edu_clerk, step=OutgoingStep.COUNTERSIGN, reason="卫健局意见需重新会签"
    )
    doc = fresh(doc)
    assert doc.signer is None and doc.document_date is None
    assert doc.countersigns.filter(signed_at__isnull=False).count() == 0
    assert doc.countersigns.count() == 2
    # the joint document carries the 主办机关's number
    moment.set(dt.datetime(2026, 12, 8, 9, 0, tzinfo=tz))
    wf.countersign(document=doc, actor=p.health_head)
    wf.countersign(document=doc, actor=p.town_head)
    wf.sign(document=doc, actor=p.edu_head, opinion="同意")
    wf.recheck(document=doc, actor=p.edu_clerk)
    assert wf.register(document=doc, actor=p.edu_clerk, copies=3) == "青教\u30142026\u30151号"


@pytest.mark.parametrize("kind", ["请示", "报告"])
def test_upward_document_needs_a_signer_at_recheck_and_register(county, kind):
    c, p = county, county.people
    doc = draft(c, kind=kind, title=f"青川县教育局关于校舍维修资金的{kind}", to_orgs=[c.gov])
    # A 上行文 that reached 复核 without a 签发人 (e.g. data carried over from paper) is stopped there ...
    OutgoingDocument.objects.filter(pk=doc.pk).update(step=OutgoingStep.RECHECK)
    with pytest.raises(ValidationError) as error:
        wf.recheck(document=doc, actor=p.edu_clerk)
    assert "签发人" in str(error.value)
    assert fresh(doc).step == OutgoingStep.RECHECK
    # ... and at 登记, where no number is spent on it
    OutgoingDocument.objects.filter(pk=doc.pk).update(step=OutgoingStep.REGISTER)
    with pytest.raises(ValidationError) as error:
        wf.register(document=doc, actor=p.edu_clerk, copies=2)
    assert "签发人" in str(error.value)
    assert fresh(doc).number_serial is None
    assert not NumberSequence.objects.filter(code="青教", last_serial__gt=0).exists()
    # with its signer it passes
    OutgoingDocument.objects.filter(pk=doc.pk).update(step=OutgoingStep.RECHECK, signer=p.edu_head)
    wf.recheck(document=doc, actor=p.edu_clerk)
    assert wf.register(document=doc, actor=p.edu_clerk, copies=2).startswith("青教\u3014")


# -- 发文字号 -------------------------------------------------------------------------------------------------------


class Boom(Exception):
    pass


def _at_register(c: County, title: str, **fields) -> OutgoingDocument:
    p = c.people
    doc = draft(c, title=title, **fields)
    to_recheck(doc, reviewer=p.edu_reviewer, signer=p.edu_head)
    wf.recheck(document=doc, actor=p.edu_clerk)
    return fresh(doc)


def test_number_format_sequence_and_no_gap_after_a_rolled_back_registration(county):
    import re

    c, p = county, county.people
    year = timezone.localdate().year
    docs = [_at_register(c, f"青川县教育局关于第{n}批校车线路调整的通知") for n in range(1, 5)]
    first = wf.register(document=docs[0], actor=p.edu_clerk, copies=1)
    assert first == f"青教\u3014{year}\u30151号"
    # the registration of the second document fails after its number was taken: the number comes back
    with pytest.raises(Boom):
        with transaction.atomic():
            taken = wf.register(document=docs[1], actor=p.edu_clerk, copies=1)
            assert taken == f"青教\u3014{year}\u30152号"
            raise Boom
    assert fresh(docs[1]).number_serial is None and fresh(docs[1]).step == OutgoingStep.REGISTER
    second = wf.register(document=docs[2], actor=p.edu_clerk, copies=1)
    assert second == f"青教\u3014{year}\u30152号"  # reused: no gap
    third = wf.register(document=docs[1], actor=p.edu_clerk, copies=1)
    assert third == f"青教\u3014{year}\u30153号"
    # a bare allocation rolled back gives its serial back as well
    with pytest.raises(Boom):
        with transaction.atomic():
            assert wf.allocate_serial("青教", year) == 4
            raise Boom
    fourth = wf.register(document=docs[3], actor=p.edu_clerk, copies=1)
    numbers = [first, second, third, fourth]
    assert numbers == [f"青教\u3014{year}\u3015{n}号" for n in (1, 2, 3, 4)]
    for number in numbers:
        assert re.match(NUMBER_RE, number), number
        assert "第" not in number and "〔0" not in number and "〕0" not in number
        assert "[" not in number and "（" not in number and "(" not in number
    # each 代字 has its own sequence: the county government's office starts at 1
    gov_doc = draft(
        c, actor=p.gov_clerk, organization=c.office, title="青川县人民政府办公室关于值班安排的通知"
    )
    to_recheck(gov_doc, reviewer=p.gov_director, signer=p.county_head)
    wf.recheck(document=gov_doc, actor=p.gov_clerk)
    assert wf.register(document=gov_doc, actor=p.gov_clerk, copies=1) == f"青政办发\u3014{year}\u30151号"
    # per year: another year restarts
    with transaction.atomic():
        assert wf.allocate_serial("青教", year + 1) == 1
    # allocation outside a transaction is refused
    from django.db import connection

    if not connection.in_atomic_block:  # pragma: no cover - the test itself runs in a transaction
        with pytest.raises(transaction.TransactionManagementError):
            wf.allocate_serial("青教", year)


def test_number_stays_with_a_document_returned_after_registration(county):
    c, p = county, county.people
    year = timezone.localdate().year
    a = _at_register(c, "青川县教育局关于教师培训的通知")
    assert wf.register(document=a, actor=p.edu_clerk, copies=2) == f"青教\u3014{year}\u30151号"
    # at 用印 the office finds a substantive problem: back to the signer
    wf.return_to(document=a, actor=p.edu_clerk, step=OutgoingStep.SIGN, reason="标题需领导重新审定")
    a = fresh(a)
    assert a.step == OutgoingStep.SIGN and a.signer is None and a.number == f"青教\u3014{year}\u30151号"
    b = _at_register(c, "青川县教育局关于教材征订的通知")
    assert (
        wf.register(document=b, actor=p.edu_clerk, copies=2) == f"青教\u3014{year}\u30152号"
    )  # 1 not reused
    wf.sign(document=a, actor=p.edu_head, opinion="同意")
    wf.recheck(document=a, actor=p.edu_clerk)
    assert wf.register(document=a, actor=p.edu_clerk, copies=4) == f"青教\u3014{year}\u30151号"  # kept
    assert fresh(a).copies == 4
    assert NumberSequence.objects.get(code="青教", year=year).last_serial == 2


# -- 用印 -----------------------------------------------------------------------------------------------------------


def test_seal_out_of_validity_or_of_another_organization_is_refused(county):
    c, p = county, county.people
    doc = _at_register(c, "青川县教育局关于学校安全检查的通知")
    wf.register(document=doc, actor=p.edu_clerk, copies=1)
    today = timezone.localdate()
    expired = Seal.objects.create(
        organization=c.edu,
        name="青川县教育局公文专用章（旧）",
        es_id=f"{c.edu.credit_code}0009",
        image=c.seals["QCJY"].image,
        holder=p.edu_clerk,
        valid_from=today - dt.timedelta(days=400),
        valid_to=today - dt.timedelta(days=1),
    )
    future = Seal.objects.create(
        organization=c.edu,
        name="青川县教育局公文专用章（新）",
        es_id=f"{c.edu.credit_code}0010",
        image=c.seals["QCJY"].image,
        holder=p.edu_clerk,
        valid_from=today + dt.timedelta(days=1),
        valid_to=today + dt.timedelta(days=300),
    )
    for seal in (expired, future, c.seals["QCWJ"], c.seals["QCX"]):
        with pytest.raises(ValidationError) as error:
            wf.apply_seal(document=doc, actor=p.edu_clerk, seal=seal)
        assert "seal" in error.value.message_dict
        assert any("\u4e00" <= ch <= "\u9fff" for ch in " ".join(error.value.messages))
    doc = fresh(doc)
    assert doc.step == OutgoingStep.SEAL and doc.seal is None and not doc.sealed_file
    assert not AuditLog.objects.filter(action="oa.seal.use").exists()
    assert list(wf.usable_seals(doc)) == [c.seals["QCJY"]]
    wf.apply_seal(document=doc, actor=p.edu_clerk, seal=c.seals["QCJY"])
    assert fresh(doc).seal == c.seals["QCJY"]


# -- 核发 and receipts ----------------------------------------------------------------------------------------------


def test_distribution_makes_one_copy_per_organization_and_receipts_reach_the_sender(county, client):
    c, p = county, county.people
    doc = draft(c, to_orgs=[c.health, c.town], cc_orgs=[c.gov, c.town])  # 桃源镇 both 主送 and 抄送
    copies = issue(c, doc, reviewer=p.edu_reviewer, signer=p.edu_head, clerk=p.edu_clerk)
    doc = fresh(doc)
    assert IncomingDocument.objects.filter(source=doc).count() == 3 == len(copies)
    by_org = {i.organization_id: i for i in copies}
    assert set(by_org) == {c.health.pk, c.town.pk, c.gov.pk}
    assert by_org[c.town.pk].copy_type == "to" and by_org[c.gov.pk].copy_type == "cc"
    for incoming in copies:
        assert incoming.state == IncomingState.DELIVERED and incoming.received_by is None
        assert incoming.source_number == doc.number and incoming.title == doc.title
    # the county government's copy is signed for by its office; the town's by the town
    with pytest.raises(PermissionDenied):
        wf.receive(incoming=by_org[c.gov.pk], actor=p.health_clerk)
    wf.receive(incoming=by_org[c.gov.pk], actor=p.gov_clerk)
    wf.receive(incoming=by_org[c.town.pk], actor=p.town_clerk)
    receipts = {i.organization_id: i for i in doc.deliveries.all()}
    assert receipts[c.gov.pk].state == IncomingState.RECEIVED
    assert receipts[c.gov.pk].received_by == p.gov_clerk and receipts[c.gov.pk].received_at is not None
    assert receipts[c.town.pk].received_by == p.town_clerk
    assert (
        receipts[c.health.pk].state == IncomingState.DELIVERED and receipts[c.health.pk].received_at is None
    )
    with pytest.raises(ValidationError):  # signed for once
        wf.receive(incoming=by_org[c.town.pk], actor=p.town_clerk)
    # the sender's page shows who signed for it
    client.force_login(p.edu_clerk)
    response = client.get(f"/admin/oa/outgoing/{doc.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "陈文书" in page and "张文书" in page and "签收回执" in page


def test_first_review_return_carries_the_reason_to_the_sender(county, django_capture_on_commit_callbacks):
    c, p = county, county.people
    (incoming,) = edu_notice(c, to_orgs=[c.health])
    wf.receive(incoming=incoming, actor=p.health_clerk)
    with pytest.raises(ValidationError):
        wf.return_incoming(incoming=incoming, actor=p.health_clerk, reason="不行")
    reason = "本文应主送县人民政府，不属于我局办理范围"
    with django_capture_on_commit_callbacks(execute=True):
        wf.return_incoming(incoming=incoming, actor=p.health_clerk, reason=reason)
    receipt = IncomingDocument.objects.get(source=incoming.source, organization=c.health)
    assert receipt.state == IncomingState.RETURNED and receipt.return_reason == reason
    told = Notification.objects.filter(recipient=p.edu_clerk)
    assert any("退回" in n.title and "不属于我局" in n.title for n in told)


# -- 收文: the whole path --------------------------------------------------------------------------------------------


def test_incoming_path_instruct_lead_unit_circulation_reply_archive(
    county, django_capture_on_commit_callbacks
):
    c, p = county, county.people
    request_doc = draft(
        c,
        kind="请示",
        title="青川县教育局关于申请校舍维修专项资金的请示",
        body=paragraphs("县人民政府：我县部分农村学校校舍老化，申请专项资金一百二十万元。妥否，请批示。"),
        to_orgs=[c.gov],
    )
    (incoming,) = issue(c, request_doc, reviewer=p.edu_reviewer, signer=p.edu_head, clerk=p.edu_clerk)
    assert incoming.organization == c.gov
    wf.receive(incoming=incoming, actor=p.gov_clerk)
    with pytest.raises(ValidationError):  # 登记 before 承办
        wf.route(incoming=incoming, actor=p.gov_clerk, mode="read", readers=[p.gov_director])
    number = wf.register_incoming(incoming=incoming, actor=p.gov_clerk)
    assert number == f"青府收\u3014{timezone.localdate().year}\u30151号"
    # 批办: 拟办意见 and the 负责人 who is to give the 批示
    with pytest.raises(ValidationError):
        wf.route(incoming=incoming, actor=p.gov_clerk, mode="instruct", proposal="", instructor=p.county_head)
    with pytest.raises(ValidationError):  # a clerk has no 批示 authority
        wf.route(
            incoming=incoming,
            actor=p.gov_clerk,
            mode="instruct",
            proposal="拟请县长阅示",
            instructor=p.gov_clerk,
        )
    wf.route(
        incoming=incoming,
        actor=p.gov_clerk,
        mode="instruct",
        proposal="拟请县卫生健康局会同县教育局研究提出意见",
        instructor=p.county_head,
    )
    incoming = fresh(incoming)
    assert incoming.state == IncomingState.PROPOSED and incoming.proposal.startswith("拟请")
    with pytest.raises(PermissionDenied):  # only the named leader gives the 批示
        wf.instruct(incoming=incoming, actor=p.edu_head, instruction="同意", lead_unit=c.health)
    with pytest.raises(ValidationError) as error:  # several units: the 主办 must be named
        wf.instruct(
            incoming=incoming,
            actor=p.county_head,
            instruction="同意，请两局办理",
            assist_units=[c.edu, c.health],
        )
    assert "主办" in str(error.value)
    wf.instruct(
        incoming=incoming,
        actor=p.county_head,
        instruction="同意，请卫健局牵头、教育局配合办理",
        lead_unit=c.health,
        assist_units=[c.edu],
        readers=[p.gov_director],
    )
    incoming = fresh(incoming)
    assert incoming.state == IncomingState.HANDLING and incoming.lead_unit == c.health
    assert list(incoming.assist_units.all()) == [c.edu]
    assert incoming.instructor == p.county_head and incoming.instructed_at is not None
    assert incoming.due_at is None  # not urgent: no 办理时限
    assert wf.visible_incoming(p.health_clerk).filter(pk=incoming.pk).exists()  # the 主办 unit sees it
    # 传阅: who has it, who has read it
    assert wf.circulate(incoming=incoming, actor=p.gov_clerk, readers=[p.gov_deputy, p.gov_director]) == 1
    with pytest.raises(ValidationError):  # not staff of the receiving organization
        wf.circulate(incoming=incoming, actor=p.gov_clerk, readers=[p.edu_head])
    wf.mark_read(incoming=incoming, actor=p.gov_director, comment="已阅")
    with pytest.raises(ValidationError):
        wf.mark_read(incoming=incoming, actor=p.gov_director)
    with pytest.raises(PermissionDenied):
        wf.mark_read(incoming=incoming, actor=p.gov_clerk)
    holding = set(
        Circulation.objects.filter(incoming=incoming, read_at__isnull=True).values_list("reader", flat=True)
    )
    done = set(
        Circulation.objects.filter(incoming=incoming, read_at__isnull=False).values_list("reader", flat=True)
    )
    assert holding == {p.gov_deputy.pk} and done == {p.gov_director.pk}
    # manual 催办 of a normal document
    wf.urge(incoming=incoming, actor=p.gov_clerk, note="请尽快阅")
    assert fresh(incoming).urge_count == 1
    # the 主办 unit answers; the sender is told
    with pytest.raises(PermissionDenied):
        wf.reply(incoming=incoming, actor=p.town_clerk, text="已办理")
    with django_capture_on_commit_callbacks(execute=True):
        wf.reply(incoming=incoming, actor=p.health_clerk, text="已会同教育局拟定资金安排方案，报县政府审定。")
    incoming = fresh(incoming)
    assert incoming.state == IncomingState.DONE and incoming.done_at is not None and incoming.reply
    assert Notification.objects.filter(recipient=p.edu_clerk, title__contains="办结").exists()
    receipt = request_doc.deliveries.get()
    assert receipt.reply.startswith("已会同") and receipt.received_by == p.gov_clerk
    with pytest.raises(PermissionDenied):
        wf.archive(incoming=incoming, actor=p.health_clerk)
    wf.archive(incoming=incoming, actor=p.gov_clerk)
    incoming = fresh(incoming)
    assert incoming.state == IncomingState.ARCHIVED and incoming.archived_at is not None
    actions = list(incoming.events.values_list("action", flat=True))
    assert actions[:4] == ["deliver", "receive", "register", "propose"]
    assert sorted(actions[4:6]) == ["circulate", "instruct"]  # the 批示 and the readers it names
    assert actions[6:] == ["circulate", "read", "urge", "reply", "archive"]


def test_read_only_routing_and_forward_of_ordinary_document(county):
    c, p = county, county.people
    (incoming,) = edu_notice(c, to_orgs=[c.health])
    wf.receive(incoming=incoming, actor=p.health_clerk)
    wf.register_incoming(incoming=incoming, actor=p.health_clerk)
    with pytest.raises(ValidationError):
        wf.route(incoming=incoming, actor=p.health_clerk, mode="read", readers=[])
    wf.route(incoming=incoming, actor=p.health_clerk, mode="read", readers=[p.health_head])
    incoming = fresh(incoming)
    assert incoming.mode == "read" and incoming.state == IncomingState.HANDLING
    assert wf.visible_incoming(p.health_head).filter(pk=incoming.pk).exists()
    with pytest.raises(ValidationError):  # 转发 is a new 发文, not a copy through the exchange
        wf.forward(incoming=incoming, actor=p.health_clerk, organization=c.town)


def test_urgent_received_document_has_a_time_limit_and_is_chased_once_a_day(county, moment):
    c, p = county, county.people
    (incoming,) = edu_notice(c, to_orgs=[c.health], urgency="加急")
    source = fresh(incoming.source)
    assert source.clock_id is None  # issued: the step clock stopped
    wf.receive(incoming=incoming, actor=p.health_clerk)
    wf.register_incoming(incoming=incoming, actor=p.health_clerk)
    wf.route(incoming=incoming, actor=p.health_clerk, mode="read", readers=[p.health_head])
    incoming = fresh(incoming)
    assert incoming.due_at is not None and incoming.clock is not None
    assert incoming.clock.due_at == incoming.due_at and incoming.due_at > incoming.received_at
    assert wf.urge_overdue(now=incoming.due_at - dt.timedelta(minutes=1)) == 0
    # the scheduler's clock far past the limit (the whole platform's clock with it)
    later = incoming.due_at + dt.timedelta(days=400)
    moment.set(later)
    assert wf.urge_overdue(now=later) == 1
    assert wf.urge_overdue(now=later) == 0  # once per day
    moment.set(later + dt.timedelta(hours=23))
    assert wf.urge_overdue(now=later + dt.timedelta(hours=23)) == 0
    moment.set(later + dt.timedelta(days=1, minutes=1))
    assert wf.urge_overdue(now=later + dt.timedelta(days=1, minutes=1)) == 1
    incoming = fresh(incoming)
    assert incoming.urge_count == 2
    assert incoming.events.filter(action="urge", actor__isnull=True).count() == 2
    assert AuditLog.objects.filter(action="oa.incoming.chase", target_id=str(incoming.pk)).count() == 2
    # once answered, no more chasing
    wf.reply(incoming=incoming, actor=p.health_clerk, text="已按要求落实。")
    moment.set(later + dt.timedelta(days=5))
    assert wf.urge_overdue(now=later + dt.timedelta(days=5)) == 0


def test_urge_overdue_with_an_explicit_now_chases_once_per_day(county):
    c, p = county, county.people
    (incoming,) = edu_notice(c, to_orgs=[c.health], urgency="特急")
    wf.receive(incoming=incoming, actor=p.health_clerk)
    wf.register_incoming(incoming=incoming, actor=p.health_clerk)
    wf.route(incoming=incoming, actor=p.health_clerk, mode="read", readers=[p.health_head])
    later = fresh(incoming).due_at + dt.timedelta(days=400)
    assert wf.urge_overdue(now=later) == 1
    assert wf.urge_overdue(now=later) == 0


def test_urgent_outgoing_steps_run_on_the_clock(county):
    c, p = county, county.people
    doc = draft(c, urgency="特急")
    assert doc.clock_id is None
    wf.submit_for_review(document=doc, actor=p.edu_clerk, reviewers=[p.edu_reviewer])
    doc = fresh(doc)
    assert doc.clock is not None and doc.clock.due_at is not None
    first = doc.clock
    wf.approve_review(document=doc, actor=p.edu_reviewer)
    doc = fresh(doc)
    assert doc.clock is not None and doc.clock.pk != first.pk
    first.refresh_from_db()
    assert first.state == "stopped"


# -- registers, statistics, search --------------------------------------------------------------------------------


def test_registers_read_back_with_openpyxl(county):
    c, p = county, county.people
    year = timezone.localdate().year
    a = _at_register(c, "青川县教育局关于甲事项的通知", to_orgs=[c.health])
    b = _at_register(c, "青川县教育局关于乙事项的通知", to_orgs=[c.town], cc_orgs=[c.health])
    d = _at_register(c, "青川县教育局关于丙事项的通知", to_orgs=[c.health])
    for doc, copies in ((b, 7), (d, 3), (a, 9)):  # registered out of drafting order
        wf.register(document=doc, actor=p.edu_clerk, copies=copies)
        wf.apply_seal(document=doc, actor=p.edu_clerk, seal=c.seals["QCJY"])
        wf.distribute(document=doc, actor=p.edu_clerk)
    book = load_workbook(
        io.BytesIO(registers.write_register(organization=c.edu, year=year, which="outgoing"))
    )
    sheet = book.active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert str(rows[0][0]).startswith("青川县教育局") and "发文登记簿" in str(rows[0][0])
    header = rows[1]
    got = [dict(zip(header, r, strict=False)) for r in rows[2:]]
    assert [g["发文字号"] for g in got] == [f"青教\u3014{year}\u3015{n}号" for n in (1, 2, 3)]
    assert [g["标题"] for g in got] == [b.title, d.title, a.title]
    assert [int(g["印制份数"]) for g in got] == [7, 3, 9]
    assert all(g["签发人"] == "严局长" for g in got)
    assert got[0]["主送机关"] == "桃源镇" and got[0]["抄送机关"] == "青川县卫生健康局"

    copies = list(IncomingDocument.objects.filter(organization=c.health).order_by("pk"))
    assert len(copies) == 3
    numbers = []
    for incoming in reversed(copies):
        wf.receive(incoming=incoming, actor=p.health_clerk)
        numbers.append(wf.register_incoming(incoming=incoming, actor=p.health_clerk))
    book = load_workbook(
        io.BytesIO(registers.write_register(organization=c.health, year=year, which="incoming"))
    )
    rows = [list(r) for r in book.active.iter_rows(values_only=True)]
    assert "收文登记簿" in str(rows[0][0])
    header = rows[1]
    got = [dict(zip(header, r, strict=False)) for r in rows[2:]]
    assert [g["收文编号"] for g in got] == numbers == [f"青卫收\u3014{year}\u3015{n}号" for n in (1, 2, 3)]
    assert {g["来文字号"] for g in got} == {fresh(x).number for x in (a, b, d)}
    assert all(g["来文机关"] == "青川县教育局" and g["状态"] == "已登记" for g in got)
    # nothing of another organization
    book = load_workbook(
        io.BytesIO(registers.write_register(organization=c.town, year=year, which="outgoing"))
    )
    assert len(list(book.active.iter_rows(values_only=True))) == 2


def test_statistics_per_kind_and_average_hours(county, moment):
    c, p = county, county.people
    tz = timezone.get_current_timezone()
    moment.set(dt.datetime(2027, 3, 1, 8, 0, tzinfo=tz))
    (n1,) = edu_notice(c, to_orgs=[c.health])
    (n2,) = edu_notice(c, to_orgs=[c.health], title="青川县教育局关于学生体质监测的通知")
    (r1,) = edu_notice(c, to_orgs=[c.health], kind="函", title="青川县教育局关于商请开展校园卫生检查的函")
    handled = []
    for incoming, received, finished in (
        (n1, dt.datetime(2027, 3, 1, 9, 0), dt.datetime(2027, 3, 1, 11, 30)),
        (n2, dt.datetime(2027, 3, 2, 10, 0), dt.datetime(2027, 3, 3, 16, 15)),
        (r1, dt.datetime(2027, 3, 4, 8, 40), None),
    ):
        moment.set(received.replace(tzinfo=tz))
        wf.receive(incoming=incoming, actor=p.health_clerk)
        wf.register_incoming(incoming=incoming, actor=p.health_clerk)
        wf.route(incoming=incoming, actor=p.health_clerk, mode="read", readers=[p.health_head])
        if finished:
            moment.set(finished.replace(tzinfo=tz))
            wf.reply(incoming=incoming, actor=p.health_clerk, text="已阅知并落实。")
            handled.append((finished - received).total_seconds() / 3600)
    moment.set(dt.datetime(2027, 3, 20, 9, 0, tzinfo=tz))
    expected_average = round(sum(handled) / len(handled), 1)  # (2.5 h + 30.25 h) / 2
    assert expected_average == pytest.approx(16.4, abs=0.051)
    figures = registers.statistics(organization=c.health, start=dt.date(2027, 3, 1), end=dt.date(2027, 3, 31))
    assert figures["received"] == 3 and figures["done"] == 2
    assert figures["average_hours_to_done"] == pytest.approx(expected_average, abs=0.051)
    assert figures["received_by_state"] == {"承办中": 1, "已办结": 2}
    edu_figures = registers.statistics(
        organization=c.edu, start=dt.date(2027, 3, 1), end=dt.date(2027, 3, 31)
    )
    assert edu_figures["issued_by_kind"] == {"函": 1, "通知": 2} and edu_figures["issued"] == 3
    outside = registers.statistics(organization=c.health, start=dt.date(2027, 2, 1), end=dt.date(2027, 2, 28))
    assert outside["received"] == 0 and outside["average_hours_to_done"] is None


def test_search_finds_a_word_inside_the_body_and_only_what_the_user_may_see(county):
    c, p = county, county.people
    mine = draft(c, body=paragraphs("请各校组织开展防溺水专题教育，落实家校联系制度。"))
    draft(c, title="青川县教育局关于校园欺凌防治的通知", body=paragraphs("加强心理健康教育。"))
    secret = draft(
        c,
        actor=p.health_clerk,
        title="青川县卫生健康局关于传染病疫情处置预案的通知",
        body=paragraphs("各卫生院要组织开展防溺水急救演练和疫情处置演练。"),
        secret_level="秘密",
        secret_term="1年",
        to_orgs=[c.town],
    )
    plain_other = draft(
        c,
        actor=p.health_clerk,
        title="青川县卫生健康局关于夏季卫生的通知",
        body=paragraphs("各卫生院开展防溺水宣传。"),
        to_orgs=[c.town],
    )
    found = list(wf.search(wf.visible_outgoing(p.edu_clerk), "溺水"))  # a word inside 防溺水
    assert found == [mine]
    assert set(wf.search(wf.visible_outgoing(p.edu_clerk), "家校 联系")) == {mine}
    assert set(wf.search(wf.visible_outgoing(p.health_clerk), "溺水")) == {secret, plain_other}
    county_wide = set(wf.search(wf.visible_outgoing(p.county_head), "溺水"))
    assert secret not in county_wide and {mine, plain_other} <= county_wide
    assert list(wf.search(wf.visible_outgoing(p.town_clerk), "溺水")) == []


# -- off-platform documents -------------------------------------------------------------------------------------


def small_pdf() -> bytes:
    """A real one-page PDF with a correct cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
    ]
    stream = b"BT /F1 12 Tf 72 760 Td (Qingchuan) Tj ET"
    objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def signed_ofd(tmp_path) -> bytes:
    from zhengwu.oa.services.document import parse_document
    from zhengwu.oa.services.ofd_sign import sign_ofd
    from zhengwu.oa.services.render_ofd import render_ofd
    from zhengwu.oa.services.signer import SealSpec, SoftwareSigner

    from .fixtures import request_document

    spec = SealSpec(
        es_id="11990303MB0000000X0001",
        name="公文专用章",
        holder="某市外来机关",
        valid_from=dt.date(2026, 1, 1),
        valid_to=dt.date(2099, 12, 31),
    )
    signer = SoftwareSigner(tmp_path / "other-key.json")
    return sign_ofd(render_ofd(parse_document(request_document())), spec=spec, signer=signer)


def _tamper_page(ofd: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(ofd))
    names = source.namelist()
    page = next(n for n in names if n.startswith("Doc_0/Pages/") and n.endswith("Content.xml"))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in names:
            content = source.read(name)
            if name == page:
                index = content.index(b'Boundary="') + len(b'Boundary="')
                digit = content[index : index + 1]
                assert digit.isdigit()
                content = content[:index] + (b"1" if digit != b"1" else b"2") + content[index + 1 :]
            target.writestr(name, content)
    return out.getvalue()


def test_off_platform_registration_checks_the_file(county, tmp_path):
    p = county.people
    good = wf.register_external(
        actor=p.health_clerk,
        title="市卫生健康委关于开展冬季爱国卫生运动的通知",
        sender_name="某市卫生健康委员会",
        kind="通知",
        source_number="某卫发\u30142026\u301588号",
        upload=SimpleUploadedFile("notice.pdf", small_pdf(), content_type="application/pdf"),
    )
    good = fresh(good)
    assert (
        good.copy_type == "ext"
        and good.state == IncomingState.RECEIVED
        and good.received_by == p.health_clerk
    )
    assert good.file and good.file_name.endswith(".pdf")
    with good.file.open("rb") as fh:
        assert fh.read() == small_pdf()

    before = IncomingDocument.objects.count()
    fake = SimpleUploadedFile(
        "notice.pdf", "这不是PDF文件，只是改了扩展名的文本。".encode(), content_type="application/pdf"
    )
    with pytest.raises(ValidationError) as error:
        wf.register_external(
            actor=p.health_clerk,
            title="假冒的来文",
            sender_name="某市卫生健康委员会",
            kind="通知",
            upload=fake,
        )
    message = " ".join(error.value.message_dict["file"])
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message)
    assert IncomingDocument.objects.count() == before
    refused = AuditLog.objects.filter(action="oa.incoming.upload_refused")
    assert refused.count() == 1 and refused.get().detail["title"] == "假冒的来文"

    # a number not in the standard form
    with pytest.raises(ValidationError) as error:
        wf.register_external(
            actor=p.health_clerk,
            title="某文",
            sender_name="某市",
            kind="通知",
            source_number="某卫发[2026]第08号",
            upload=SimpleUploadedFile("a.pdf", small_pdf()),
        )
    assert "source_number" in error.value.message_dict

    # a signed OFD passes; the same with one byte of a page changed is refused and audited
    ofd = signed_ofd(tmp_path)
    ok = wf.register_external(
        actor=p.health_clerk,
        title="外市来文（OFD）",
        sender_name="某市人民政府",
        kind="请示",
        upload=SimpleUploadedFile("request.ofd", ofd),
    )
    assert fresh(ok).file_name.endswith(".ofd")
    with pytest.raises(ValidationError) as error:
        wf.register_external(
            actor=p.health_clerk,
            title="被篡改的来文",
            sender_name="某市人民政府",
            kind="请示",
            upload=SimpleUploadedFile("request.ofd", _tamper_page(ofd)),
        )
    assert "签章" in " ".join(error.value.message_dict["file"])
    assert refused.count() == 2
    assert AuditLog.objects.filter(action="oa.incoming.upload_refused", detail__title="被篡改的来文").exists()
    assert not IncomingDocument.objects.filter(title="被篡改的来文").exists()
