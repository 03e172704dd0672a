"""政务服务“好差评” (services/ratings.py) against its contract: five levels; a 差评 needs a tag or a reason; every
indicator of the channel's fixed set is rated; one rating per 办件 and only once it has ended; every 实名差评 opens
one rectification on the dispatch engine (回访核实 = 签收 in 1 working day, 整改 = 办理 in 15 working days); the
rated unit verifies, reports and may appeal once; the 好差评 office reviews, calls the rater back, finishes and
decides appeals (an upheld appeal voids the rating); the figures per unit by Asia/Shanghai date; the provincial
export; and who must not do what.

Dates run on the official calendar: 国庆 2026 is 1–7 October, Saturday 10 October a make-up working day, so the
working days after Wednesday 30 September are 8, 9, 10, 12 … October.

The county, its staff, items and finished applications are built once per module inside a transaction that is
rolled back at the end of the module; each test runs in a savepoint of its own on top of it.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from zhengwu.core.models import Assignment, CaseReply
from zhengwu.core.models.dispatch import AssignmentState, DispatchState
from zhengwu.core.services import dispatch as engine
from zhengwu.core.services.clock import SHANGHAI
from zhengwu.govservice import rules
from zhengwu.govservice.models import (
    AppealState,
    Application,
    ApplicationStatus,
    RatingStatus,
    Rectification,
    ServiceRating,
)
from zhengwu.govservice.services import ratings as svc
from zhengwu.govservice.services.ratings import RatingInput

pytestmark = pytest.mark.django_db

ONLINE = ["整体满意度", "办事效率", "办事指南精确度", "办事便捷度", "平台操作性"]
ONSITE = ["整体满意度", "服务效率", "服务水平", "服务态度"]
LABELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
END = dict(hour=23, minute=59, second=59, microsecond=999999)
PHONE = "13905781234"
RATER_PHONE = "13600002222"
NOTE = "10月8日上午电话联系评价人张三丰，核实情况属实：窗口答复不清楚。"
REPORT = "已对窗口人员进行培训，重新编写一次性告知单，并电话向评价人说明。"


def at(month: int, day: int, hour: int = 10, minute: int = 0, year: int = 2026) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def end_of(month: int, day: int, year: int = 2026) -> dt.datetime:
    return dt.datetime(year, month, day, tzinfo=SHANGHAI).replace(**END)


def scores(level: int, names: list[str] = ONLINE) -> dict[str, int]:
    return {name: level for name in names}


def data(
    level: int,
    *,
    names: list[str] = ONLINE,
    tags: list[str] | tuple[str, ...] = (),
    reason: str = "",
    name: str = "",
    phone: str = "",
) -> RatingInput:
    return RatingInput(
        scores=scores(level, names), tags=list(tags), reason=reason, rater_name=name, rater_phone=phone
    )


# -- the module's county -----------------------------------------------------------------------------------------


def _org(name, code, credit, parent=None):
    from zhengwu.core.models import Organization, OrganizationKind
    from zhengwu.core.validators import make_credit_code

    org = Organization(
        name=name,
        kind=OrganizationKind.GOVERNMENT if parent is None else OrganizationKind.DEPARTMENT,
        code=code,
        parent=parent,
        credit_code=make_credit_code(credit),
    )
    org.save()
    org.depth = 0 if parent is None else parent.depth + 1
    org.path = f"{parent.path if parent else ''}{org.pk:06d}/"
    org.save(update_fields=["path", "depth"])
    return org


def _person(username, org, *roles):
    from zhengwu.core.models import Staff
    from zhengwu.core.services.staff import assign_roles

    staff = Staff(username=username, organization=org, display_name=username)
    staff.set_password("Zw-Test-Passw0rd!")
    staff.save()
    assign_roles(staff=staff, roles=list(roles), actor=None)
    return Staff.objects.get(pk=staff.pk)


def _item(code, org, name, **overrides):
    from zhengwu.govservice.services.items import ItemData, MaterialData, StepData, create_item

    values = dict(
        code=code,
        organization=org,
        name=name,
        item_type="行政许可",
        competent_department=org.name,
        basis="《公共场所卫生管理条例》第八条",
        legal_limit_days=20,
        promised_limit_days=5,
        case_kind="promised",
        onsite_visits=1,
        conditions="经营场所符合公共场所卫生标准和要求。",
        place="松阳县行政服务中心二楼",
        hours="周一至周五 8:30-12:00，14:30-17:30（法定节假日除外）",
        consult_phone="0578-8061234",
        materials=[MaterialData("申请表")],
        steps=[StepData("审查", 1)],
        audiences=["legal"],
        life_events=["operation"],
    )
    values.update(overrides)
    return create_item(actor=None, data=ItemData(**values))


def _pdf():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("申请表.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")


def submit_application(item, when, *, name="张三丰", phone=PHONE):
    from zhengwu.govservice.services import applications as apps
    from zhengwu.govservice.services.applications import Applicant

    material = item.current_version.materials.get()
    return apps.submit_application(
        item=item,
        applicant=Applicant(kind="person", name=name, id_number="11010519491231002X", phone=phone),
        form_data={
            "matter": "新开设游泳馆一家，申请公共场所卫生许可。",
            "address": "松阳县西屏街道长松路 1 号",
        },
        files={material.pk: [_pdf()]},
        at=when,
    )


def drive(application, handler, until: str, start: dt.datetime) -> Application:
    """Accept, complete the step, decide and serve, an hour apart from ``start``, up to ``until``."""
    from zhengwu.govservice.services import applications as apps

    moment = start
    steps = [
        ("processing", lambda a, m: apps.accept(application=a, actor=handler, at=m)),
        ("done", lambda a, m: apps.complete_step(application=a, actor=handler, at=m)),
        ("decided", lambda a, m: apps.decide(application=a, actor=handler, grant=True, at=m)),
        ("finished", lambda a, m: apps.deliver(application=a, actor=handler, method="窗口领取", at=m)),
    ]
    for name, step in steps:
        step(Application.objects.get(pk=application.pk), moment)
        moment += dt.timedelta(hours=1)
        if name == until:
            break
    return Application.objects.get(pk=application.pk)


def build_world():
    from zhengwu.core.services.staff import sync_roles
    from zhengwu.interaction.services.rules import load_hotline_limits

    sync_roles()
    svc.load_rating_rules()
    load_hotline_limits()
    root = _org("松阳县人民政府", "SYX", "11331124000000001")
    health = _org("松阳县卫生健康局", "WJJ", "11331124000000002", root)
    transport = _org("松阳县交通运输局", "JTJ", "11331124000000003", root)
    center = _org("松阳县12345热线中心", "SY12345", "12331124000000005", root)
    office_org = _org("松阳县政务服务管理办公室", "ZWB", "11331124000000006", root)
    w = SimpleNamespace(root=root, health=health, transport=transport, center=center, office_org=office_org)
    w.handler = _person("wjj_window", health, "service_handler")
    w.other_handler = _person("jtj_window", transport, "service_handler")
    w.office = _person("zwb_hcp", office_org, "service_admin")
    w.operator = _person("rx_op", center, "hotline")
    w.supervisor = _person("rx_sup", center, "hotline_supervisor")
    w.permit = _item("11331124000000002WXK0001", health, "公共场所卫生许可（新设）")
    w.bus = _item(
        "113311240000000030QT0002",
        transport,
        "老年人公交乘车卡办理",
        item_type="公共服务",
        basis="《松阳县老年人优待办法》",
        audiences=["person"],
        life_events=["elderly"],
    )
    # Finished on Tuesday 29 September 2026 (received Monday 28 September).
    w.finished = drive(submit_application(w.permit, at(9, 28, 8)), w.handler, "finished", at(9, 28, 9))
    w.second = drive(
        submit_application(w.permit, at(9, 28, 8, 30), name="李四", phone="13905785678"),
        w.handler,
        "finished",
        at(9, 28, 9, 30),
    )
    assert w.finished.status == w.second.status == ApplicationStatus.FINISHED
    assert w.finished.finished_at == at(9, 28, 12)
    w.received = submit_application(w.permit, at(9, 28, 8, 10))
    w.processing = drive(
        submit_application(w.permit, at(9, 28, 8, 20)), w.handler, "processing", at(9, 28, 9)
    )
    w.decided = drive(submit_application(w.permit, at(9, 28, 8, 40)), w.handler, "decided", at(9, 28, 9))
    return w


@pytest.fixture(scope="module")
def world(official_calendar, django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        built = build_world()
        yield built
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def roles(world):
    """Every test runs on the module's county; its roles were synced once (this replaces the per-test sync of
    the app's conftest)."""


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def rectification_of(rating: ServiceRating) -> Rectification:
    return Rectification.objects.get(rating=rating)


def lead_of(rectification: Rectification) -> Assignment:
    return Assignment.objects.get(
        content_type__model="rectification", object_id=rectification.pk, role="lead"
    )


def bad_application_rating(world, application=None, when=None, **overrides) -> ServiceRating:
    values = dict(tags=["办理时间过长"], reason="等了很久才拿到证。")
    values.update(overrides)
    return svc.submit_rating(
        channel="online",
        data=data(1, **values),
        application=application or world.finished,
        at=when or at(9, 30),
    )


def bad_guide_rating(world, when, *, item=None, level=2, name="王五", phone=RATER_PHONE, **overrides):
    values = dict(tags=["多次跑动"], reason="")
    values.update(overrides)
    return svc.submit_rating(
        channel="guide",
        data=data(level, name=name, phone=phone, **values),
        item=item or world.permit,
        at=when,
    )


def counts() -> tuple[int, int, int]:
    return ServiceRating.objects.count(), Rectification.objects.count(), Assignment.objects.count()


# -- levels, indicators, tags --------------------------------------------------------------------------------------


def test_five_levels_two_of_them_bad(world):
    assert [value for value, _label in svc.level_choices()] == [5, 4, 3, 2, 1]
    for value, label in svc.level_choices():
        assert label.startswith(LABELS[value])
        assert svc.level_label(value) == LABELS[value]
    assert [v for v in LABELS if svc.is_bad(v)] == [2, 1]
    assert svc.indicators("online") == svc.indicators("guide") == ONLINE
    assert svc.indicators("onsite") == ONSITE
    rating = svc.submit_rating(channel="guide", data=data(3), item=world.permit, at=at(10, 9))
    assert (rating.level, rating.level_label, rating.is_bad) == (3, "基本满意", False)


@pytest.mark.parametrize("level", [2, 1])
@pytest.mark.parametrize("reason", ["", "   ", "\n"])
def test_a_bad_rating_without_tag_or_reason_is_refused_and_nothing_is_stored(world, level, reason):
    before = counts()
    for kwargs in (
        dict(channel="online", application=world.finished),
        dict(channel="guide", item=world.permit),
        dict(channel="guide", item=world.permit, name="王五", phone=RATER_PHONE),
    ):
        name, phone = kwargs.pop("name", ""), kwargs.pop("phone", "")
        with pytest.raises(ValidationError) as excinfo:
            svc.submit_rating(data=data(level, reason=reason, name=name, phone=phone), at=at(9, 30), **kwargs)
        text = " ".join(excinfo.value.messages)
        assert "差评标签" in text and "理由" in text, text
        assert counts() == before


@pytest.mark.parametrize("level", [2, 1])
def test_a_bad_rating_with_a_tag_or_with_a_reason_is_taken(world, level):
    tagged = svc.submit_rating(
        channel="guide", data=data(level, tags=["收费不合理"]), item=world.permit, at=at(10, 9)
    )
    assert (tagged.level, tagged.tags, tagged.reason) == (level, ["收费不合理"], "")
    reasoned = svc.submit_rating(
        channel="guide",
        data=data(level, reason="窗口工作人员让我来回跑了三趟。"),
        item=world.permit,
        at=at(10, 9),
    )
    assert (reasoned.tags, reasoned.reason) == ([], "窗口工作人员让我来回跑了三趟。")
    assert fresh(tagged).is_bad and fresh(reasoned).is_bad


@pytest.mark.parametrize("level", [5, 4, 3])
def test_a_good_rating_needs_no_tag_and_opens_no_rectification(world, level):
    rating = svc.submit_rating(channel="online", data=data(level), application=world.finished, at=at(9, 30))
    stored = fresh(rating)
    assert (stored.level, stored.tags, stored.reason, stored.status) == (level, [], "", RatingStatus.VALID)
    assert stored.real_name is True and stored.rater_name == "张三丰" and stored.rater_phone == PHONE
    assert stored.organization == world.health and stored.application_id == world.finished.pk
    assert stored.case_id == world.finished.case_id
    assert not Rectification.objects.exists()
    guide = svc.submit_rating(
        channel="guide", data=data(level, name="王五", phone=RATER_PHONE), item=world.bus, at=at(9, 30)
    )
    assert fresh(guide).real_name is True
    assert not Rectification.objects.exists()


@pytest.mark.parametrize("level", [5, 1])
def test_an_unknown_tag_is_refused(world, level):
    before = counts()
    with pytest.raises(ValidationError) as excinfo:
        svc.submit_rating(
            channel="online",
            data=data(level, tags=["办理时间过长", "服务太好了吧"]),
            application=world.finished,
            at=at(9, 30),
        )
    assert "tags" in excinfo.value.message_dict
    assert "服务太好了吧" in " ".join(excinfo.value.message_dict["tags"])
    assert counts() == before


def test_every_indicator_of_the_channel_must_be_rated(world):
    before = counts()
    for missing in ONLINE:
        partial = {name: 4 for name in ONLINE if name != missing}
        with pytest.raises(ValidationError) as excinfo:
            svc.submit_rating(
                channel="online",
                data=RatingInput(scores=partial, tags=[]),
                application=world.finished,
                at=at(9, 30),
            )
        assert missing in " ".join(excinfo.value.messages)
    for bad_value in (0, 6, None, "", "很好"):
        with pytest.raises(ValidationError):
            svc.submit_rating(
                channel="guide",
                data=RatingInput(scores={**scores(4), "办事效率": bad_value}, tags=[]),
                item=world.permit,
                at=at(9, 30),
            )
    # The on-site set on the online channel and the online set on the 评价器 are both incomplete.
    with pytest.raises(ValidationError) as excinfo:
        svc.submit_rating(
            channel="online", data=data(4, names=ONSITE), application=world.finished, at=at(9, 30)
        )
    assert "办事指南精确度" in " ".join(excinfo.value.messages)
    with pytest.raises(ValidationError) as excinfo:
        svc.submit_rating(channel="onsite", data=data(4, names=ONLINE), item=world.permit, at=at(9, 30))
    assert "服务态度" in " ".join(excinfo.value.messages)
    assert counts() == before

    onsite = svc.submit_rating(channel="onsite", data=data(4, names=ONSITE), item=world.permit, at=at(9, 30))
    assert (onsite.indicator_set, onsite.scores) == ("onsite", scores(4, ONSITE))
    online = svc.submit_rating(channel="online", data=data(5), application=world.finished, at=at(9, 30))
    assert (online.indicator_set, online.scores) == ("online", scores(5))
    assert online.indicator_version == onsite.indicator_version == rules.ratings()["indicators"]["version"]


def test_the_reason_is_at_most_500_characters(world):
    before = counts()
    with pytest.raises(ValidationError) as excinfo:
        svc.submit_rating(channel="guide", data=data(5, reason="好" * 501), item=world.permit, at=at(9, 30))
    assert "reason" in excinfo.value.message_dict and "500" in excinfo.value.message_dict["reason"][0]
    assert counts() == before
    rating = svc.submit_rating(
        channel="guide", data=data(5, reason="好" * 500), item=world.permit, at=at(9, 30)
    )
    assert len(fresh(rating).reason) == 500


def test_a_guide_rater_gives_both_name_and_mobile_or_neither(world):
    before = counts()
    for name, phone in (("王五", ""), ("", RATER_PHONE), ("王五", "12345")):
        with pytest.raises(ValidationError):
            svc.submit_rating(
                channel="guide",
                data=data(2, tags=["多次跑动"], name=name, phone=phone),
                item=world.bus,
                at=at(9, 30),
            )
    assert counts() == before


# -- one rating per 办件, once it has ended -----------------------------------------------------------------------


def test_one_rating_per_application(world):
    first = svc.submit_rating(channel="online", data=data(4), application=world.finished, at=at(9, 30))
    before = counts()
    for level, extra in ((5, {}), (1, dict(tags=["超时办结"]))):
        with pytest.raises(ValidationError) as excinfo:
            svc.submit_rating(
                channel="online", data=data(level, **extra), application=world.finished, at=at(10, 8)
            )
        assert "已评价" in " ".join(excinfo.value.messages)
    # Nor again at the window's 评价器 for the same 办件.
    with pytest.raises(ValidationError):
        svc.submit_rating(
            channel="onsite", data=data(5, names=ONSITE), case=fresh(world.finished).case, at=at(10, 8)
        )
    assert counts() == before
    assert ServiceRating.objects.filter(application=world.finished).count() == 1
    assert fresh(first).level == 4
    assert not Rectification.objects.exists()


@pytest.mark.parametrize("which", ["received", "processing", "decided"])
def test_an_application_not_yet_finished_cannot_be_rated(world, which):
    application = getattr(world, which)
    assert application.status != ApplicationStatus.FINISHED
    before = counts()
    for level, extra in ((5, {}), (1, dict(tags=["办理时间过长"]))):
        with pytest.raises(ValidationError) as excinfo:
            svc.submit_rating(
                channel="online", data=data(level, **extra), application=application, at=at(9, 30)
            )
        assert "办结" in " ".join(excinfo.value.messages)
    assert counts() == before


def test_an_application_is_rated_within_the_rating_window(world):
    window = rules.ratings()["rating_window_days"]
    finished = fresh(world.finished).finished_at
    with pytest.raises(ValidationError):
        svc.submit_rating(
            channel="online",
            data=data(5),
            application=world.finished,
            at=finished + dt.timedelta(days=window + 1),
        )
    assert not ServiceRating.objects.exists()
    svc.submit_rating(
        channel="online",
        data=data(5),
        application=world.finished,
        at=finished + dt.timedelta(days=window - 1),
    )
    assert ServiceRating.objects.count() == 1


# -- 实名差评 → one rectification ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rated, sign_due, handle_due",
    [
        # Wednesday before 国庆: the next working day is 8 October; 15 working days are 8, 9, 10 (调休), 12–16,
        # 19–23, 26, 27 October.
        (at(9, 30, 10), end_of(10, 8), end_of(10, 27)),
        # On the holiday: the same next working day, the same 15.
        (at(10, 3, 15), end_of(10, 8), end_of(10, 27)),
        # Friday 9 October: the next working day is the make-up Saturday; 15 run 10, 12–16, 19–23, 26–29 October.
        (at(10, 9, 16), end_of(10, 10), end_of(10, 29)),
    ],
)
def test_a_real_name_bad_rating_opens_one_rectification_on_working_days(world, rated, sign_due, handle_due):
    rating = bad_application_rating(world, when=rated)
    assert rating.real_name is True
    assert Rectification.objects.count() == 1
    rectification = rectification_of(rating)
    assert rectification.tracking_number
    assert rectification.dispatch_state == DispatchState.HANDLING
    assert rectification.lead_unit == world.health
    assignments = list(engine.assignments_of(rectification))
    assert len(assignments) == 1
    lead = assignments[0]
    assert (lead.organization, lead.role, lead.state) == (world.health, "lead", AssignmentState.DISPATCHED)
    assert lead.dispatched_at == rated
    assert lead.sign_due_at == sign_due
    assert rectification.handle_due_at == handle_due
    assert lead.sign_clock.policy.code == "rating-callback"
    assert rectification.handle_clock.policy.code == "rating-rectify"


def test_a_real_name_guide_rating_is_dispatched_to_the_rated_unit(world):
    rating = bad_guide_rating(world, at(9, 30), item=world.bus, level=1)
    stored = fresh(rating)
    assert stored.real_name is True and (stored.rater_name, stored.rater_phone) == ("王五", RATER_PHONE)
    assert stored.organization == world.transport
    rectification = rectification_of(rating)
    assert rectification.lead_unit == world.transport
    assert lead_of(rectification).organization == world.transport
    assert Rectification.objects.count() == 1


def test_an_anonymous_bad_rating_opens_no_rectification(world):
    rating = bad_guide_rating(world, at(9, 30), name="", phone="")
    stored = fresh(rating)
    assert stored.is_bad and stored.real_name is False
    assert (stored.rater_name, stored.rater_phone) == ("", "")
    assert not Rectification.objects.exists() and not Assignment.objects.exists()


# -- the rectification, all the way --------------------------------------------------------------------------------


def test_the_unit_verifies_reports_and_the_office_reviews_calls_back_and_finishes(world):
    rating = bad_application_rating(world)
    rectification = rectification_of(rating)

    for short in ("", "已联系", "   已 联 系   "):
        with pytest.raises(ValidationError) as excinfo:
            svc.verify(rectification=rectification, note=short, actor=world.handler, at=at(10, 8, 9))
        assert "note" in excinfo.value.message_dict
    assert lead_of(rectification).state == AssignmentState.DISPATCHED
    # Reporting before the 回访核实 (签收) is refused.
    with pytest.raises(ValidationError):
        svc.report(rectification=rectification, text=REPORT, actor=world.handler, at=at(10, 8, 9))

    svc.verify(rectification=rectification, note=NOTE, actor=world.handler, at=at(10, 8, 9))
    rectification = fresh(rectification)
    lead = lead_of(rectification)
    assert lead.state == AssignmentState.SIGNED and lead.signed_on_time is True
    assert rectification.verified_at == at(10, 8, 9) and rectification.verify_note == NOTE
    assert rectification.lead_signed_on_time is True

    svc.report(rectification=rectification, text=REPORT, actor=world.handler, at=at(10, 12))
    assert fresh(rectification).dispatch_state == DispatchState.REPLIED
    reply = CaseReply.objects.get(object_id=rectification.pk, content_type__model="rectification")

    # Sent back: a reason is needed; with one the unit works again.
    with pytest.raises(ValidationError):
        engine.review_reply(reply=reply, accept=False, note="", actor=world.office, at=at(10, 12, 11))
    engine.review_reply(
        reply=reply,
        accept=False,
        note="整改措施不具体，请补充培训记录。",
        actor=world.office,
        at=at(10, 12, 11),
    )
    rectification = fresh(rectification)
    assert rectification.dispatch_state == DispatchState.HANDLING and rectification.redo_count == 1

    svc.report(
        rectification=rectification, text=REPORT + "附培训签到表。", actor=world.handler, at=at(10, 13)
    )
    second = CaseReply.objects.filter(object_id=rectification.pk, state="pending").get()
    engine.review_reply(reply=second, accept=True, actor=world.office, at=at(10, 13, 11))
    rectification = fresh(rectification)
    assert rectification.dispatch_state == DispatchState.CALLBACK
    assert rectification.public_reply.startswith("已对窗口人员进行培训")

    engine.record_callback(
        case=rectification, rating="满意", note="评价人认可整改。", actor=world.office, at=at(10, 14)
    )
    engine.finish_case(case=fresh(rectification), actor=world.office, at=at(10, 14, 11))
    rectification = fresh(rectification)
    assert rectification.dispatch_state == DispatchState.FINISHED
    assert rectification.finished_on_time is True
    assert rectification.visit_count == 1 and rectification.last_rating == "满意"
    assert fresh(rating).status == RatingStatus.VALID

    figures = svc.rating_figures(start=dt.date(2026, 9, 1), end=dt.date(2026, 9, 30))
    assert (figures["ratings"], figures["bad"], figures["real_name_bad"], figures["rectified"]) == (
        1,
        1,
        1,
        1,
    )
    assert figures["rectification_rate"] == 1.0 and figures["good_rate"] == 0.0
    assert svc.published_rectifications().get() == rectification


def test_a_verification_note_has_at_least_ten_characters(world):
    rectification = rectification_of(bad_application_rating(world))
    for short in ("", " " * 12, "电话联系评价人已核"):  # nothing, blanks, nine characters
        with pytest.raises(ValidationError) as excinfo:
            svc.verify(rectification=rectification, note=short, actor=world.handler, at=at(10, 8, 9))
        assert "note" in excinfo.value.message_dict
    assert lead_of(rectification).state == AssignmentState.DISPATCHED
    svc.verify(rectification=rectification, note="电话联系评价人已核实", actor=world.handler, at=at(10, 8, 9))
    assert fresh(rectification).verify_note == "电话联系评价人已核实"


def test_a_verification_after_the_next_working_day_is_late(world):
    rectification = rectification_of(bad_application_rating(world))  # 30 September: due the end of 8 October
    svc.verify(rectification=rectification, note=NOTE, actor=world.handler, at=at(10, 9, 8, 30))
    rectification = fresh(rectification)
    assert lead_of(rectification).signed_on_time is False and rectification.lead_signed_on_time is False
    assert lead_of(rectification).sign_clock.final_status == "done_late"


def test_an_extension_is_decided_by_the_rating_office_not_by_the_hotline(world):
    rectification = rectification_of(bad_application_rating(world))
    svc.verify(rectification=rectification, note=NOTE, actor=world.handler, at=at(10, 8, 9))
    request = engine.request_extension(
        case=fresh(rectification),
        workdays=5,
        reason="需采购叫号设备，整改周期较长。",
        actor=world.handler,
        at=at(10, 12),
    )
    for actor in (world.supervisor, world.operator, world.handler):
        with pytest.raises(PermissionDenied):
            engine.decide_extension(extension=request, approve=True, actor=actor, at=at(10, 12, 11))
    assert fresh(rectification).handle_due_at == end_of(10, 27)
    engine.decide_extension(extension=request, approve=True, actor=world.office, at=at(10, 12, 11))
    # Five more working days after 27 October: 28, 29, 30 October, 2, 3 November.
    assert fresh(rectification).handle_due_at == end_of(11, 3)


# -- 申诉 and 复核 -------------------------------------------------------------------------------------------------


def test_an_upheld_appeal_voids_the_rating_and_withdraws_the_rectification(world):
    rating = bad_application_rating(world)
    rectification = rectification_of(rating)
    with pytest.raises(ValidationError) as excinfo:
        svc.appeal(
            rectification=rectification,
            kind="不服",
            text="评价人所述情况与事实不符。",
            actor=world.handler,
            at=at(10, 8),
        )
    assert "kind" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        svc.appeal(rectification=rectification, kind="误评", text="误评", actor=world.handler, at=at(10, 8))
    assert "text" in excinfo.value.message_dict
    assert fresh(rectification).appeal_state == AppealState.NONE

    svc.appeal(
        rectification=rectification,
        kind="误评",
        text="评价人来电说明本想选择“非常满意”，误点了“非常不满意”。",
        actor=world.handler,
        at=at(10, 8),
    )
    rectification = fresh(rectification)
    assert rectification.appeal_state == AppealState.PENDING and rectification.appeal_kind == "误评"
    assert fresh(rating).status == RatingStatus.APPEALED
    with pytest.raises(ValidationError):
        svc.appeal(
            rectification=rectification,
            kind="恶意差评",
            text="同一评价人当天连续给出多个差评。",
            actor=world.handler,
            at=at(10, 8, 11),
        )
    assert fresh(rectification).appeal_kind == "误评"

    with pytest.raises(ValidationError):
        svc.decide_appeal(rectification=rectification, upheld=True, note="", actor=world.office, at=at(10, 9))
    svc.decide_appeal(
        rectification=rectification,
        upheld=True,
        note="经电话核实，确属误评。",
        actor=world.office,
        at=at(10, 9),
    )
    rectification = fresh(rectification)
    rating = fresh(rating)
    assert rating.status == RatingStatus.VOID
    assert rectification.appeal_state == AppealState.UPHELD
    assert rectification.dispatch_state == DispatchState.FINISHED
    assert rectification.finished_on_time is None
    assert not engine.current_assignments(rectification).exists()
    with pytest.raises(ValidationError):
        svc.decide_appeal(rectification=rectification, upheld=False, note="重新复核。", actor=world.office)
    with pytest.raises(ValidationError):
        svc.verify(rectification=rectification, note=NOTE, actor=world.handler, at=at(10, 9, 11))

    figures = svc.rating_figures(start=dt.date(2026, 9, 1), end=dt.date(2026, 10, 31))
    assert (figures["ratings"], figures["bad"], figures["real_name_bad"], figures["rectified"]) == (
        0,
        0,
        0,
        0,
    )
    assert figures["good_rate"] is None and figures["rectification_rate"] is None
    assert figures["units"] == []
    assert not svc.published_rectifications().exists()


def test_a_refused_appeal_keeps_the_rating_and_the_rectification_goes_on(world):
    rating = bad_application_rating(world)
    rectification = rectification_of(rating)
    svc.verify(rectification=rectification, note=NOTE, actor=world.handler, at=at(10, 8, 9))
    svc.appeal(
        rectification=rectification,
        kind="恶意差评",
        text="评价人因个人纠纷恶意给出差评，有录音为证。",
        actor=world.handler,
        at=at(10, 8, 10),
    )
    svc.decide_appeal(
        rectification=rectification,
        upheld=False,
        note="证据不足，申诉不成立。",
        actor=world.office,
        at=at(10, 9),
    )
    rectification = fresh(rectification)
    assert fresh(rating).status == RatingStatus.VALID
    assert rectification.appeal_state == AppealState.REFUSED
    assert rectification.dispatch_state == DispatchState.HANDLING
    with pytest.raises(ValidationError) as excinfo:
        svc.appeal(
            rectification=rectification,
            kind="误评",
            text="再次申诉：评价人已同意撤回差评。",
            actor=world.handler,
            at=at(10, 9, 11),
        )
    assert "一次" in " ".join(excinfo.value.messages)
    svc.report(rectification=rectification, text=REPORT, actor=world.handler, at=at(10, 12))
    assert fresh(rectification).dispatch_state == DispatchState.REPLIED
    figures = svc.rating_figures(start=dt.date(2026, 9, 30), end=dt.date(2026, 9, 30))
    assert (figures["ratings"], figures["bad"], figures["real_name_bad"], figures["rectified"]) == (
        1,
        1,
        1,
        0,
    )
    assert figures["rectification_rate"] == 0.0


# -- figures --------------------------------------------------------------------------------------------------------

# A hand-made set: (unit, level, real name, Asia/Shanghai moment, what happens to it).
FIGURE_SET = [
    ("health", 5, False, at(1, 5), ""),
    ("health", 4, False, at(2, 10), ""),
    ("health", 1, True, at(2, 11), "rectified"),
    ("health", 2, True, at(2, 12), ""),  # rectification still open
    ("health", 3, False, at(3, 31, 23, 30), ""),  # Q1 by Shanghai date (15:30 UTC)
    ("health", 2, False, at(3, 2), ""),  # anonymous 差评
    ("health", 5, False, at(3, 3), ""),
    ("health", 1, True, at(3, 4), ""),  # rectification still open
    ("health", 4, False, at(3, 5), ""),
    ("transport", 5, False, at(1, 20), ""),
    ("transport", 1, True, at(2, 2), "void"),  # appeal upheld
    ("transport", 2, False, at(2, 3), ""),
    ("transport", 4, False, at(4, 1, 0, 10), ""),  # Q2 by Shanghai date (31 March 16:10 UTC)
]


def _rate(num: int, den: int):
    if not den:
        return None
    return float((Decimal(num) / Decimal(den)).quantize(Decimal("0.0001"), ROUND_HALF_UP))


def expected(rows) -> dict:
    rows = [r for r in rows if r[4] != "void"]
    bad = [r for r in rows if r[1] in (1, 2)]
    real = [r for r in bad if r[2]]
    rectified = [r for r in real if r[4] == "rectified"]
    good = len(rows) - len(bad)
    return {
        "ratings": len(rows),
        "good": good,
        "good_rate": _rate(good, len(rows)),
        "bad": len(bad),
        "real_name_bad": len(real),
        "rectified": len(rectified),
        "rectification_rate": _rate(len(rectified), len(real)),
        "levels": {LABELS[v]: sum(1 for r in rows if r[1] == v) for v in (5, 4, 3, 2, 1)},
    }


def in_period(rows, start: dt.date, end: dt.date):
    return [r for r in rows if start <= r[3].astimezone(SHANGHAI).date() <= end]


def make_figure_set(world):
    items = {"health": world.permit, "transport": world.bus}
    handlers = {"health": world.handler, "transport": world.other_handler}
    made = []
    for n, (unit, level, real, moment, fate) in enumerate(FIGURE_SET):
        name, phone = (f"评价人{n}", f"1390578{n:04d}") if real else ("", "")
        extra = dict(tags=["多次跑动"]) if level <= 2 else {}
        rating = svc.submit_rating(
            channel="guide", data=data(level, name=name, phone=phone, **extra), item=items[unit], at=moment
        )
        made.append(rating)
        if fate == "rectified":
            rectification = rectification_of(rating)
            base = moment + dt.timedelta(days=1)
            svc.verify(rectification=rectification, note=NOTE, actor=handlers[unit], at=base)
            svc.report(
                rectification=rectification,
                text=REPORT,
                actor=handlers[unit],
                at=base + dt.timedelta(hours=1),
            )
            reply = CaseReply.objects.get(object_id=rectification.pk, content_type__model="rectification")
            engine.review_reply(reply=reply, accept=True, actor=world.office, at=base + dt.timedelta(hours=2))
            engine.record_callback(
                case=fresh(rectification), rating="满意", actor=world.office, at=base + dt.timedelta(hours=3)
            )
            engine.finish_case(case=fresh(rectification), actor=world.office, at=base + dt.timedelta(hours=4))
        elif fate == "void":
            rectification = rectification_of(rating)
            base = moment + dt.timedelta(days=1)
            svc.appeal(
                rectification=rectification,
                kind="恶意差评",
                text="评价人从未到本单位办理过该事项。",
                actor=handlers[unit],
                at=base,
            )
            svc.decide_appeal(
                rectification=rectification,
                upheld=True,
                note="经核实，申诉成立。",
                actor=world.office,
                at=base + dt.timedelta(hours=1),
            )
    return made


def test_figures_per_unit_and_in_total_by_shanghai_date(world):
    made = make_figure_set(world)
    assert ServiceRating.objects.filter(status=RatingStatus.VOID).count() == 1
    assert Rectification.objects.count() == 4  # one per 实名差评, the void one's included

    q1 = (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    figures = svc.rating_figures(start=q1[0], end=q1[1])
    rows = in_period(FIGURE_SET, *q1)
    want = expected(rows)
    assert {k: figures[k] for k in want} == want
    # Worked by hand: 11 counted (the void one and the 1 April one left out), 6 good, 3 实名差评, 1 rectified.
    assert (figures["ratings"], figures["good"], figures["good_rate"]) == (11, 6, 0.5455)
    assert (figures["real_name_bad"], figures["rectified"], figures["rectification_rate"]) == (3, 1, 0.3333)
    assert (figures["from"], figures["to"]) == ("2026-01-01", "2026-03-31")

    units = {u["unit"]: u for u in figures["units"]}
    assert set(units) == {world.health.credit_code, world.transport.credit_code}
    health = units[world.health.credit_code]
    assert health["name"] == "松阳县卫生健康局"
    health_want = expected([r for r in rows if r[0] == "health"])
    assert {k: health[k] for k in health_want} == health_want
    assert (health["ratings"], health["good_rate"], health["rectification_rate"]) == (9, 0.5556, 0.3333)
    transport = units[world.transport.credit_code]
    transport_want = expected([r for r in rows if r[0] == "transport"])
    assert {k: transport[k] for k in transport_want} == transport_want
    assert (transport["ratings"], transport["good_rate"], transport["real_name_bad"]) == (2, 0.5, 0)
    assert transport["rectification_rate"] is None  # no 实名差评 left to divide by
    assert [u["unit"] for u in figures["units"]] == [world.health.credit_code, world.transport.credit_code]

    # One unit only.
    only = svc.rating_figures(start=q1[0], end=q1[1], unit=world.health)
    assert [u["unit"] for u in only["units"]] == [world.health.credit_code]
    assert {k: only[k] for k in health_want} == health_want

    # The second quarter starts at Shanghai midnight: the rating at 00:10 on 1 April is there, alone.
    q2 = svc.rating_figures(start=dt.date(2026, 4, 1), end=dt.date(2026, 6, 30))
    assert {
        k: q2[k] for k in expected(in_period(FIGURE_SET, dt.date(2026, 4, 1), dt.date(2026, 6, 30)))
    } == expected([FIGURE_SET[-1]])
    assert (q2["ratings"], q2["good_rate"], q2["rectification_rate"]) == (1, 1.0, None)
    # The last day of March alone holds the 23:30 rating.
    day = svc.rating_figures(start=dt.date(2026, 3, 31), end=dt.date(2026, 3, 31))
    assert day["ratings"] == 1 and day["levels"]["基本满意"] == 1

    empty = svc.rating_figures(start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31))
    assert (empty["ratings"], empty["good"], empty["bad"], empty["units"]) == (0, 0, 0, [])
    assert empty["good_rate"] is None and empty["rectification_rate"] is None
    with pytest.raises(ValidationError):
        svc.rating_figures(start=dt.date(2026, 3, 31), end=dt.date(2026, 1, 1))
    assert len(made) == len(FIGURE_SET)


def test_provincial_records_have_every_field_in_order_and_leave_void_ratings_out(world):
    make_figure_set(world)
    fields = rules.ratings()["provincial_export"]["fields"]
    records = svc.provincial_records(start=dt.date(2026, 1, 1), end=dt.date(2026, 3, 31))
    counted = [r for r in in_period(FIGURE_SET, dt.date(2026, 1, 1), dt.date(2026, 3, 31)) if r[4] != "void"]
    assert len(records) == len(counted) == 11
    for record in records:
        assert list(record) == fields
        assert isinstance(record["satisfaction"], str) and record["satisfaction"] in {"1", "2", "3", "4", "5"}
        assert record["satisfactionName"] == LABELS[int(record["satisfaction"])]
        assert record["evaluateChannel"] == "PC_ONLINE"
    assert sorted(r["satisfaction"] for r in records) == sorted(str(r[1]) for r in counted)
    void = ServiceRating.objects.get(status=RatingStatus.VOID)
    assert f"PJ{void.pk:010d}" not in {r["projNo"] for r in records}
    assert [r["evaluateTime"] for r in records] == sorted(r["evaluateTime"] for r in records)
    assert records[-1]["evaluateTime"] == "2026-03-31 23:30:00"


def test_provincial_record_of_an_application_rating(world):
    svc.submit_rating(
        channel="online",
        data=data(2, tags=["办理时间过长", "多次跑动"], reason="前后跑了三次。"),
        application=world.finished,
        at=at(9, 30, 10),
    )
    svc.submit_rating(
        channel="onsite", data=data(5, names=ONSITE), case=fresh(world.second).case, at=at(9, 30, 11)
    )
    records = svc.provincial_records(start=dt.date(2026, 9, 30), end=dt.date(2026, 9, 30))
    fields = rules.ratings()["provincial_export"]["fields"]
    assert [list(r) for r in records] == [fields, fields]
    first, second = records
    application = fresh(world.finished)
    assert first["projNo"] == application.tracking_number
    assert (first["serviceCode"], first["serviceName"]) == (world.permit.code, "公共场所卫生许可（新设）")
    assert (first["serviceDepartment"], first["serviceDepartmentCode"]) == (
        "松阳县卫生健康局",
        world.health.credit_code,
    )
    assert (first["applicantName"], first["applicantPhone"]) == ("张三丰", PHONE)
    assert (first["satisfaction"], first["satisfactionName"]) == ("2", "不满意")
    assert first["evaluateTime"] == "2026-09-30 10:00:00"
    assert first["evaluateTags"] == ["办理时间过长", "多次跑动"]
    assert first["evaluateContent"] == "前后跑了三次。"
    assert first["evaluateChannel"] == "PC_ONLINE" and second["evaluateChannel"] == "PJQ"
    assert first["handleStateName"] == "办结" and first["transactionTime"] == "2026-09-28 12:00:00"
    assert (second["satisfaction"], second["projNo"]) == ("5", fresh(world.second).case.number)


# -- who must not ----------------------------------------------------------------------------------------------------


def _state(rectification):
    rectification = fresh(rectification)
    return (
        rectification.dispatch_state,
        rectification.appeal_state,
        rectification.verified_at,
        rectification.finished_at,
        fresh(rectification.rating).status,
        tuple(engine.assignments_of(rectification).values_list("state", flat=True)),
        CaseReply.objects.filter(object_id=rectification.pk, content_type__model="rectification").count(),
    )


def test_another_units_handler_cannot_verify_report_or_appeal(world):
    rectification = rectification_of(bad_application_rating(world))
    before = _state(rectification)
    with pytest.raises(PermissionDenied):
        svc.verify(rectification=rectification, note=NOTE, actor=world.other_handler, at=at(10, 8, 9))
    with pytest.raises(PermissionDenied):
        svc.appeal(
            rectification=rectification,
            kind="误评",
            text="评价人所述情况与事实不符，系误评。",
            actor=world.other_handler,
            at=at(10, 8, 9),
        )
    assert _state(rectification) == before
    svc.verify(rectification=rectification, note=NOTE, actor=world.handler, at=at(10, 8, 9))
    before = _state(rectification)
    with pytest.raises(PermissionDenied):
        svc.report(rectification=rectification, text=REPORT, actor=world.other_handler, at=at(10, 9))
    with pytest.raises(PermissionDenied):
        engine.request_extension(
            case=rectification,
            workdays=5,
            reason="需要时间整改到位。",
            actor=world.other_handler,
            at=at(10, 9),
        )
    assert _state(rectification) == before


def test_a_hotline_operator_cannot_review_call_back_finish_or_withdraw_a_rectification(world):
    operator = world.operator
    assert operator.has_perm("core.dispatch_cases") and not operator.has_perm("govservice.handle_ratings")
    rating = bad_application_rating(world)
    rectification = rectification_of(rating)
    with pytest.raises(PermissionDenied):
        engine.withdraw_case(case=rectification, reason="重复评价，予以撤销。", actor=operator, at=at(10, 8))
    svc.verify(rectification=rectification, note=NOTE, actor=world.handler, at=at(10, 8, 9))
    svc.report(rectification=rectification, text=REPORT, actor=world.handler, at=at(10, 12))
    reply = CaseReply.objects.get(object_id=rectification.pk, content_type__model="rectification")
    before = _state(rectification)
    with pytest.raises(PermissionDenied):
        engine.review_reply(reply=reply, accept=True, actor=operator, at=at(10, 12, 11))
    assert _state(rectification) == before and fresh(reply).state == "pending"
    engine.review_reply(reply=reply, accept=True, actor=world.office, at=at(10, 12, 11))
    before = _state(rectification)
    for call in (
        lambda: engine.record_callback(
            case=fresh(rectification), rating="满意", actor=operator, at=at(10, 13)
        ),
        lambda: engine.redo_case(
            case=fresh(rectification), reason="评价人不满意。", actor=operator, at=at(10, 13)
        ),
        lambda: engine.finish_case(case=fresh(rectification), actor=operator, at=at(10, 13)),
        lambda: engine.withdraw_case(
            case=fresh(rectification), reason="重复评价。", actor=operator, at=at(10, 13)
        ),
        lambda: svc.decide_appeal(
            rectification=fresh(rectification), upheld=True, note="申诉成立。", actor=operator
        ),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert _state(rectification) == before
    assert fresh(rectification).visit_count == 0


def test_the_rated_units_handler_cannot_act_for_the_office(world):
    rectification = rectification_of(bad_application_rating(world))
    svc.verify(rectification=rectification, note=NOTE, actor=world.handler, at=at(10, 8, 9))
    svc.report(rectification=rectification, text=REPORT, actor=world.handler, at=at(10, 12))
    reply = CaseReply.objects.get(object_id=rectification.pk, content_type__model="rectification")
    before = _state(rectification)
    with pytest.raises(PermissionDenied):
        engine.review_reply(reply=reply, accept=True, actor=world.handler, at=at(10, 12, 11))
    with pytest.raises(PermissionDenied):
        engine.withdraw_case(
            case=fresh(rectification), reason="差评不属实。", actor=world.handler, at=at(10, 13)
        )
    assert _state(rectification) == before


def test_a_unit_handler_cannot_decide_an_appeal(world):
    rectification = rectification_of(bad_application_rating(world))
    svc.appeal(
        rectification=rectification,
        kind="误评",
        text="评价人来电说明系误操作，本意为满意。",
        actor=world.handler,
        at=at(10, 8),
    )
    before = _state(rectification)
    for actor in (world.handler, world.other_handler, world.operator):
        for upheld in (True, False):
            with pytest.raises(PermissionDenied):
                svc.decide_appeal(
                    rectification=rectification,
                    upheld=upheld,
                    note="申诉成立，予以撤销。",
                    actor=actor,
                    at=at(10, 9),
                )
    assert _state(rectification) == before
    assert fresh(rectification).appeal_state == AppealState.PENDING


def _work_order(n: int):
    from zhengwu.interaction.models import WorkOrder

    return WorkOrder.objects.create(
        tracking_number=f"RX20260930{n:04d}",
        origin="console",
        received_at=at(9, 30, 9),
        channel="电话",
        kind="投诉",
        urgency="一般",
        caller_name="李四",
        caller_phone="13900001111",
        content="建设路菜市场门口每天早上有流动摊贩占道经营，车辆无法通行。",
    )


def _to_callback(case, unit, start):
    engine.dispatch_case(case=case, unit=unit, actor=None, at=start)
    lead = engine.current_lead(case)
    engine.sign_assignment(assignment=lead, actor=None, at=start + dt.timedelta(hours=1))
    reply = engine.reply_case(
        assignment=lead,
        text="已安排执法人员现场处置，摊贩已劝离。",
        actor=None,
        at=start + dt.timedelta(hours=2),
    )
    engine.review_reply(reply=reply, accept=True, actor=None, at=start + dt.timedelta(hours=3))
    return type(case).objects.get(pk=case.pk)


def test_the_rating_office_cannot_dispatch_or_finish_a_hotline_work_order(world):
    office = world.office
    assert office.has_perm("core.dispatch_cases") and office.has_perm("core.supervise_cases")
    pending = _work_order(1)
    with pytest.raises(PermissionDenied):
        engine.dispatch_case(case=pending, unit=world.transport, actor=office, at=at(9, 30, 10))
    assert fresh(pending).dispatch_state == DispatchState.PENDING
    assert not engine.assignments_of(pending).exists()

    order = _to_callback(_work_order(2), world.transport, at(9, 30, 10))
    assert order.dispatch_state == DispatchState.CALLBACK
    for call in (
        lambda: engine.record_callback(case=order, rating="满意", actor=office, at=at(10, 8)),
        lambda: engine.finish_case(case=order, actor=office, at=at(10, 8)),
        lambda: engine.redo_case(case=order, reason="来电人不满意。", actor=office, at=at(10, 8)),
        lambda: engine.withdraw_case(case=order, reason="重复工单。", actor=office, at=at(10, 8)),
    ):
        with pytest.raises(PermissionDenied):
            call()
    order = fresh(order)
    assert (order.dispatch_state, order.visit_count) == (DispatchState.CALLBACK, 0)
    # The hotline itself may.
    engine.finish_case(case=order, actor=world.operator, at=at(10, 8))
    assert fresh(order).dispatch_state == DispatchState.FINISHED


def test_the_rating_office_cannot_dispatch_or_finish_a_mailbox_letter(world):
    from zhengwu.interaction.services.mailbox import create_mailbox, load_mailbox_rules, submit_letter

    load_mailbox_rules()
    mailbox = create_mailbox(code="xianzhang", name="县长信箱", organization=world.root)
    letters = [
        submit_letter(
            mailbox=mailbox,
            kind="咨询",
            title=title,
            body="请问我们村自来水的水费是按什么标准收取的？",
            writer_name="马晓东",
            writer_phone="13600001111",
            public_consent=False,
            at=at(9, 30, 9),
        )
        for title in ("农村自来水水费标准", "农村自来水停水通知")
    ]
    with pytest.raises(PermissionDenied):
        engine.dispatch_case(case=letters[0], unit=world.transport, actor=world.office, at=at(9, 30, 10))
    assert not engine.assignments_of(letters[0]).exists()
    letter = _to_callback(letters[1], world.transport, at(9, 30, 10))
    for call in (
        lambda: engine.finish_case(case=letter, actor=world.office, at=at(10, 8)),
        lambda: engine.record_callback(case=letter, rating="满意", actor=world.office, at=at(10, 8)),
        lambda: engine.withdraw_case(case=letter, reason="重复来信。", actor=world.office, at=at(10, 8)),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert fresh(letter).dispatch_state == DispatchState.CALLBACK


def test_an_open_case_cannot_be_rated_at_the_window_either(world):
    case = fresh(world.processing).case
    assert case is not None and case.finished_at is None
    before = counts()
    with pytest.raises(ValidationError) as excinfo:
        svc.submit_rating(channel="onsite", data=data(5, names=ONSITE), case=case, at=at(9, 30))
    assert "办结" in " ".join(excinfo.value.messages)
    assert counts() == before


def test_a_rectification_withdrawn_without_an_appeal_is_not_counted_as_fixed(world):
    rating = bad_application_rating(world)
    rectification = rectification_of(rating)
    engine.withdraw_case(
        case=rectification, reason="与另一条差评重复，已合并处理", actor=world.office, at=at(10, 8)
    )
    assert fresh(rectification).dispatch_state == DispatchState.FINISHED
    figures = svc.rating_figures(start=dt.date(2026, 9, 1), end=dt.date(2026, 12, 31))
    assert (figures["real_name_bad"], figures["rectified"], figures["rectification_rate"]) == (1, 0, 0.0)
    assert list(svc.published_rectifications()) == []
