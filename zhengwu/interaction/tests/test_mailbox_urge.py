"""督办 of an overdue letter reaches the head of the unit that holds it (the 领导 role), as well as its handlers;
the heads of other units, and the unit's staff without a role in the case, are not told."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache

from zhengwu.core.validators import make_credit_code

BJ = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _fresh(db, settings):
    cache.clear()
    settings.ZHENGWU_SMS_CODES = False
    from zhengwu.core.services.staff import sync_roles
    from zhengwu.interaction.services.mailbox import load_mailbox_rules

    sync_roles()
    load_mailbox_rules()


@pytest.fixture
def units(make_org):
    from zhengwu.core.models import OrganizationKind

    root = make_org(
        "平武县人民政府",
        kind=OrganizationKind.GOVERNMENT,
        code="PWX",
        credit_code=make_credit_code("11510727000000001"),
    )
    return {
        "root": root,
        "office": make_org(
            "平武县委办公室", parent=root, code="PWWB", credit_code=make_credit_code("11510727000000012")
        ),
        "health": make_org(
            "平武县卫生健康局", parent=root, code="PWWJJ", credit_code=make_credit_code("11510727000000023")
        ),
        "forest": make_org(
            "平武县林业局", parent=root, code="PWLYJ", credit_code=make_credit_code("11510727000000034")
        ),
    }


@pytest.fixture
def staff(make_staff, units):
    from zhengwu.core.models import Role
    from zhengwu.core.services.staff import assign_roles

    def make(username, role, unit):
        person = make_staff(username, organization=units[unit], display_name=username)
        if role:
            assign_roles(staff=person, roles=[Role.objects.get(code=role)], actor=None)
        return type(person).objects.get(pk=person.pk)

    return {
        "office": make("pw_office", "mailbox_office", "office"),
        "liaison": make("pw_wj_liaison", "liaison", "health"),
        "head": make("pw_wj_head", "leader", "health"),
        "clerk": make("pw_wj_clerk", None, "health"),
        "other_head": make("pw_ly_head", "leader", "forest"),
    }


def test_urging_an_overdue_letter_tells_the_unit_head(units, staff, django_capture_on_commit_callbacks):
    from zhengwu.core.models import Notification
    from zhengwu.core.services import dispatch as engine
    from zhengwu.interaction.services import mailbox as svc

    mailbox = svc.create_mailbox(code="shuji", name="书记信箱", organization=units["office"])
    received = dt.datetime(2025, 6, 9, 15, 30, tzinfo=BJ)  # a Monday; 求助 → 5 working days
    letter = svc.submit_letter(
        mailbox=mailbox,
        kind="求助",
        title="乡卫生院缺少值班医生",
        body="我们乡卫生院晚上经常没有值班医生，老人夜里生病只能去县城，请帮助解决。",
        writer_name="杨春燕",
        writer_phone="13550001122",
        public_consent=False,
        at=received,
    )
    svc.screen_letter(letter=letter, valid=True, actor=staff["office"], at=received + dt.timedelta(hours=1))
    assignment = svc.assign_letter(
        letter=letter, unit=units["health"], actor=staff["office"], at=received + dt.timedelta(hours=1)
    )
    engine.sign_assignment(assignment=assignment, actor=staff["liaison"], at=received + dt.timedelta(hours=2))
    before = set(Notification.objects.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        svc.urge_letter(
            letter=letter,
            actor=staff["office"],
            note="请本周内答复",
            at=dt.datetime(2025, 6, 20, 9, tzinfo=BJ),
        )
    urged = Notification.objects.exclude(pk__in=before).filter(title__startswith="督办")
    told = set(urged.values_list("recipient__username", flat=True))
    assert told == {"pw_wj_liaison", "pw_wj_head"}
    head_notice = urged.get(recipient=staff["head"])
    assert "请本周内答复" in head_notice.body and head_notice.link


def test_a_head_who_also_handles_is_told_once(units, staff, make_staff, django_capture_on_commit_callbacks):
    from zhengwu.core.models import Notification, Role
    from zhengwu.core.services.staff import assign_roles
    from zhengwu.interaction.services import mailbox as svc

    both = make_staff("pw_ly_both", organization=units["forest"], display_name="林局长")
    assign_roles(staff=both, roles=list(Role.objects.filter(code__in=["leader", "liaison"])), actor=None)
    mailbox = svc.create_mailbox(code="xianzhang", name="县长信箱", organization=units["office"])
    received = dt.datetime(2025, 6, 9, 9, tzinfo=BJ)
    letter = svc.submit_letter(
        mailbox=mailbox,
        kind="建议",
        title="建议加强林区防火巡查",
        body="入秋以后林区上山人员增多，建议增加防火巡查次数并设置宣传牌。",
        writer_name="何建国",
        writer_phone="13550003344",
        public_consent=False,
        at=received,
    )
    svc.screen_letter(letter=letter, valid=True, actor=staff["office"], at=received + dt.timedelta(hours=1))
    svc.assign_letter(
        letter=letter, unit=units["forest"], actor=staff["office"], at=received + dt.timedelta(hours=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        svc.urge_letter(letter=letter, actor=staff["office"], at=dt.datetime(2025, 7, 15, 9, tzinfo=BJ))
    urged = Notification.objects.filter(title__startswith="督办")
    assert sorted(urged.values_list("recipient__username", flat=True)) == ["pw_ly_both", "pw_ly_head"]
