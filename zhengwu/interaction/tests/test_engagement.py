"""在线访谈, 意见征集 and 调查问卷 from their contract (issue 9 items 6–8): what is public only after moderation,
the live transcript after a cursor, a closed consultation refusing comments, one answer per person, required
questions, typed scripts shown as text, staff of another organization kept out, and the .xlsx read back."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from captcha.models import CaptchaStore
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from openpyxl import load_workbook

from zhengwu.core.models import OrganizationKind, Role
from zhengwu.core.validators import make_credit_code
from zhengwu.interaction.models import (
    Consultation,
    ConsultationComment,
    Interview,
    InterviewEntry,
    InterviewGuest,
    InterviewQuestion,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
)
from zhengwu.interaction.services import consultations, interviews, surveys

HOST = "127.0.0.1:8000"
SCRIPT = "<script>alert('x')</script>"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


@pytest.fixture
def town(make_org):
    """A county of its own: the government, its 教育局 (the host) and 民政局 (another unit)."""
    root = make_org(
        "岚山县人民政府",
        kind=OrganizationKind.GOVERNMENT,
        code="LSX",
        credit_code=make_credit_code("11330000000000011"),
    )
    edu = make_org(
        "岚山县教育局", parent=root, code="LSJYJ", credit_code=make_credit_code("11330000000000012")
    )
    civil = make_org(
        "岚山县民政局", parent=root, code="LSMZJ", credit_code=make_credit_code("11330000000000013")
    )
    from zhengwu.portal.services import create_site

    create_site(
        organization=root,
        site_name="岚山县人民政府",
        hostname="127.0.0.1",
        port=8000,
        is_default=True,
        intro="",
        actor=None,
    )
    return {"root": root, "edu": edu, "civil": civil}


@pytest.fixture
def liaison(make_staff, town):
    from zhengwu.core.services.staff import assign_roles, sync_roles

    sync_roles()

    def make(username, org):
        staff = make_staff(username, organization=town[org], display_name=username)
        assign_roles(staff=staff, roles=[Role.objects.get(code="liaison")], actor=None)
        return type(staff).objects.get(pk=staff.pk)

    return make


def now():
    return timezone.now()


@pytest.fixture
def interview(town):
    item = Interview.objects.create(
        organization=town["edu"],
        title="秋季学期义务教育招生政策解读",
        intro="县教育局负责同志解读招生划片。",
        starts_at=now() + dt.timedelta(days=2),
        ends_at=now() + dt.timedelta(days=2, hours=2),
    )
    InterviewGuest.objects.create(interview=item, name="何明远", position="县教育局局长", sort_order=1)
    return item


def captcha(client, url):
    html = client.get(url, HTTP_HOST=HOST).content.decode()
    key = re.search(r'name="captcha_0" value="([^"]+)"', html).group(1)
    return {"captcha_0": key, "captcha_1": CaptchaStore.objects.get(hashkey=key).response}


def post(client, url, data):
    return client.post(url, {**captcha(client, url), **data}, HTTP_HOST=HOST)


def page(client, url):
    response = client.get(url, HTTP_HOST=HOST)
    assert response.status_code == 200, url
    return response.content.decode()


# -- 在线访谈 ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_question_is_public_only_after_approval(client, interview, liaison):
    url = f"/hudong/ft/{interview.pk}/"
    response = post(client, url, {"nickname": "家长小周", "content": "学区房以外的随迁子女怎样报名？"})
    assert response.status_code == 200 and "审核通过后公开" in response.content.decode()
    rejected = interviews.submit_question(
        interview=interview, nickname="路人", content="这是一条无关广告内容"
    )
    question = InterviewQuestion.objects.get(nickname="家长小周")
    assert question.status == "pending"
    assert "随迁子女" not in page(client, url)

    host = liaison("edu1", "edu")
    interviews.moderate_question(question=question, approve=True, actor=host)
    interviews.moderate_question(question=rejected, approve=False, actor=host)
    html = page(client, url)
    assert "随迁子女怎样报名" in html
    assert "无关广告" not in html


@pytest.mark.django_db
def test_live_endpoint_returns_what_came_after_the_cursor(client, interview, liaison):
    host = liaison("edu1", "edu")
    guest = interview.guests.get()
    interviews.set_state(interview=interview, state="live", actor=host)
    question = interviews.submit_question(
        interview=interview, nickname="网友甲", content="今年划片范围有变化吗？"
    )
    assert question.during_live
    live = f"/hudong/ft/{interview.pk}/live.json"

    first = client.get(live, {"since": 0}, HTTP_HOST=HOST).json()
    assert first["entries"] == [] and first["state"] == "live"

    interviews.publish_entry(interview=interview, actor=host, role="question", question=question, content="")
    data = client.get(live, {"since": first["cursor"]}, HTTP_HOST=HOST)
    body = data.json()
    assert [e["speaker"] for e in body["entries"]] == ["网友“网友甲”"]
    assert body["entries"][0]["content"] == "今年划片范围有变化吗？"
    cursor, etag = body["cursor"], data["ETag"]
    question.refresh_from_db()
    assert question.status == "approved"  # publishing a question approves it

    # Nothing new: an empty answer, and 304 to a client that holds the ETag.
    assert client.get(live, {"since": cursor}, HTTP_HOST=HOST).json()["entries"] == []
    assert client.get(live, {"since": cursor}, HTTP_HOST=HOST, HTTP_IF_NONE_MATCH=etag).status_code == 304

    # The host's connection drops and the same post is sent again: stored once.
    for _ in range(2):
        interviews.publish_entry(
            interview=interview,
            actor=host,
            role="guest",
            guest=guest,
            content="划片范围与去年一致。",
            client_token="t-1",
        )
    after = client.get(live, {"since": cursor}, HTTP_HOST=HOST, HTTP_IF_NONE_MATCH=etag).json()
    assert [(e["speaker"], e["content"]) for e in after["entries"]] == [("何明远", "划片范围与去年一致。")]
    assert InterviewEntry.objects.filter(interview=interview).count() == 2
    assert client.get(live, {"since": "-1"}, HTTP_HOST=HOST).status_code == 400


@pytest.mark.django_db
def test_live_console_posts_survive_a_repeat(client, interview, liaison):
    host = liaison("edu1", "edu")
    client.force_login(host)
    url = f"/admin/engagement/interviews/{interview.pk}/console/"
    assert client.get(url).status_code == 200
    data = {"action": "publish", "role": "host", "content": "各位网友，欢迎来到访谈现场。", "token": "abc"}
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    assert list(interview.entries.values_list("content", flat=True)) == ["各位网友，欢迎来到访谈现场。"]


@pytest.mark.django_db
def test_liaison_of_another_unit_cannot_moderate(client, interview, liaison):
    outsider = liaison("civil1", "civil")
    question = interviews.submit_question(
        interview=interview, nickname="网友乙", content="校车路线什么时候公布？"
    )
    with pytest.raises(PermissionDenied):
        interviews.moderate_question(question=question, approve=True, actor=outsider)
    with pytest.raises(PermissionDenied):
        interviews.publish_entry(interview=interview, actor=outsider, role="host", content="越权发布")

    client.force_login(outsider)
    url = f"/admin/engagement/interviews/{interview.pk}/console/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "approve", "question": question.pk}).status_code == 404
    assert client.get(f"/admin/engagement/interviews/edit/{interview.pk}/").status_code in (403, 404)
    question.refresh_from_db()
    assert question.status == "pending" and not interview.entries.exists()


@pytest.mark.django_db
def test_scripts_typed_anywhere_are_shown_as_text(client, interview, liaison):
    host = liaison("edu1", "edu")
    question = interviews.submit_question(
        interview=interview, nickname=SCRIPT[:30], content=f"请问{SCRIPT}怎么办"
    )
    interviews.moderate_question(question=question, approve=True, actor=host)
    interviews.set_state(interview=interview, state="live", actor=host)
    interviews.publish_entry(interview=interview, actor=host, role="host", content=f"主持{SCRIPT}")
    html = page(client, f"/hudong/ft/{interview.pk}/")
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html

    consultation = Consultation.objects.create(
        organization=interview.organization,
        title="草案",
        draft="第一条",
        opens_on=timezone.localdate(),
        closes_on=timezone.localdate() + dt.timedelta(days=30),
    )
    comment = consultations.submit_comment(
        consultation=consultation, name="张三", phone="13700001111", content=f"建议{SCRIPT}修改"
    )
    consultations.moderate_comment(comment=comment, approve=True, actor=host)
    html = page(client, f"/hudong/zj/{consultation.pk}/")
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html


@pytest.mark.django_db
def test_emoji_only_question_is_refused_keeping_what_was_typed(client, interview):
    url = f"/hudong/ft/{interview.pk}/"
    response = post(client, url, {"nickname": "小王", "content": "👍👍👍😀😀"})
    html = response.content.decode()
    assert "不能只有表情符号或标点" in html
    assert 'value="小王"' in html and "👍👍👍😀😀" in html
    assert not InterviewQuestion.objects.exists()


@pytest.mark.django_db
def test_ended_interview_shows_archive_and_refuses_questions(client, interview, liaison):
    host = liaison("edu1", "edu")
    interviews.set_state(interview=interview, state="live", actor=host)
    interviews.publish_entry(interview=interview, actor=host, role="host", content="访谈开始。")
    interviews.set_state(interview=interview, state="ended", actor=host, summary="嘉宾介绍了今年的招生政策。")
    html = page(client, f"/hudong/ft/{interview.pk}/")
    assert "文字实录" in html and "嘉宾介绍了今年的招生政策。" in html and "我要提问" not in html
    with pytest.raises(ValidationError, match="已经结束"):
        interviews.submit_question(interview=interview, nickname="晚到", content="还能提问吗？谢谢")
    listing = page(client, "/hudong/ft/")
    assert "往期回顾" in listing and interview.title in listing


# -- 意见征集 ---------------------------------------------------------------------------------------------------


@pytest.fixture
def closed_consultation(town):
    today = timezone.localdate()
    return Consultation.objects.create(
        organization=town["edu"],
        title="岚山县中小学校服管理办法（征求意见稿）",
        draft="第一条 为规范中小学校服管理……",
        opens_on=today - dt.timedelta(days=40),
        closes_on=today - dt.timedelta(days=1),
    )


@pytest.mark.django_db
def test_closed_consultation_refuses_comments_in_chinese(client, closed_consultation):
    with pytest.raises(ValidationError) as error:
        consultations.submit_comment(
            consultation=closed_consultation,
            name="李四",
            phone="13600002222",
            content="建议增加冬季校服款式。",
        )
    assert "已于" in error.value.messages[0] and "截止，不再接受意见" in error.value.messages[0]

    url = f"/hudong/zj/{closed_consultation.pk}/"
    response = client.post(
        url, {"name": "李四", "phone": "13600002222", "content": "建议增加冬季校服款式。"}, HTTP_HOST=HOST
    )
    assert response.status_code == 409
    assert "截止，不再接受意见" in response.content.decode()
    assert not ConsultationComment.objects.exists()


@pytest.mark.django_db
def test_comment_moderation_and_published_adoption(client, town, liaison):
    today = timezone.localdate()
    consultation = Consultation.objects.create(
        organization=town["edu"],
        title="岚山县课后服务收费标准（征求意见稿）",
        draft="课后服务每生每学期不超过300元。",
        opens_on=today,
        closes_on=today + dt.timedelta(days=29),
    )
    url = f"/hudong/zj/{consultation.pk}/"
    response = post(
        client, url, {"name": "周女士", "phone": "13512345678", "content": "建议低保家庭免收课后服务费。"}
    )
    assert "经审核后公开" in response.content.decode()
    second = consultations.submit_comment(
        consultation=consultation, name="吴先生", phone="13587654321", content="收费标准偏高，建议200元。"
    )
    third = consultations.submit_comment(
        consultation=consultation, name="郑", phone="13500000000", content="与草案无关的广告推广内容"
    )
    first = ConsultationComment.objects.get(name="周女士")
    html = page(client, url)
    assert "低保家庭" not in html and "13512345678" not in html

    office = liaison("edu1", "edu")
    for comment in (first, second):
        consultations.moderate_comment(comment=comment, approve=True, actor=office)
    consultations.moderate_comment(comment=third, approve=False, actor=office)
    html = page(client, url)
    assert "低保家庭" in html and "广告推广" not in html
    assert "周女士" not in html and "13512345678" not in html  # names and phones are never public

    with pytest.raises(ValidationError, match="尚未截止"):
        consultations.publish_feedback(consultation=consultation, summary="采纳情况", actor=office)
    consultation.closes_on = today - dt.timedelta(days=1)
    consultation.opens_on = today - dt.timedelta(days=30)
    consultation.save()
    with pytest.raises(ValidationError, match="未填写采纳情况"):
        consultations.publish_feedback(consultation=consultation, summary="采纳情况", actor=office)
    with pytest.raises(ValidationError, match="写明理由"):
        consultations.record_adoption(comment=second, adoption="not_adopted", reason="", actor=office)
    consultations.record_adoption(comment=first, adoption="adopted", actor=office)
    consultations.record_adoption(
        comment=second, adoption="not_adopted", reason="标准已按成本核定，低于全市平均水平。", actor=office
    )
    consultations.publish_feedback(
        consultation=consultation, summary="共收到意见3条，采纳1条。", actor=office
    )
    html = page(client, url)
    assert "意见采纳情况" in html
    text = re.sub(r"<[^>]+>", "", html)
    assert "共收到意见 3 条，采纳 1 条，部分采纳 0 条，未采纳 1 条" in text
    assert "标准已按成本核定" in html


@pytest.mark.django_db
def test_major_decision_period_warning():
    start = dt.date(2026, 3, 2)
    assert "少于" in consultations.period_warning(
        opens_on=start, closes_on=start + dt.timedelta(days=19), is_major_decision=True
    )
    # 30 days, both ends counted, is enough; an ordinary draft is never warned.
    assert (
        consultations.period_warning(
            opens_on=start, closes_on=start + dt.timedelta(days=29), is_major_decision=True
        )
        == ""
    )
    assert (
        consultations.period_warning(
            opens_on=start, closes_on=start + dt.timedelta(days=5), is_major_decision=False
        )
        == ""
    )


@pytest.mark.django_db
def test_admin_form_warns_for_a_short_major_decision_draft(client, town, liaison):
    office = liaison("edu1", "edu")
    client.force_login(office)
    data = {
        "organization": town["edu"].pk,
        "title": "岚山县学前教育发展规划（草案）",
        "explanation": "",
        "draft": "第一章 总则",
        "is_major_decision": "on",
        "opens_on": "2026-12-01",
        "closes_on": "2026-12-15",
        "contact": "",
        "is_published": "on",
    }
    response = client.post("/admin/engagement/consultations/new/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "少于重大行政决策草案一般不少于 30 日" in html and "岚山县学前教育发展规划（草案）" in html
    assert not Consultation.objects.exists()
    response = client.post("/admin/engagement/consultations/new/", {**data, "shortened_confirmed": "on"})
    assert response.status_code == 302 and Consultation.objects.count() == 1


# -- 调查问卷 ---------------------------------------------------------------------------------------------------


@pytest.fixture
def survey(town):
    item = Survey.objects.create(
        organization=town["edu"],
        title="岚山县课后服务满意度调查",
        opens_at=now() - dt.timedelta(days=1),
        closes_at=now() + dt.timedelta(days=10),
        identify_by="phone",
    )
    q1 = SurveyQuestion.objects.create(
        survey=item, sort_order=1, kind="single", text="孩子所在学段", options_text="小学\n初中"
    )
    q2 = SurveyQuestion.objects.create(
        survey=item, sort_order=2, kind="multiple", text="希望增加的课后活动", options_text="体育\n艺术\n阅读"
    )
    q3 = SurveyQuestion.objects.create(
        survey=item, sort_order=3, kind="scale", text="总体满意度", scale_min=1, scale_max=5
    )
    q4 = SurveyQuestion.objects.create(
        survey=item, sort_order=4, kind="text", text="其他建议", required=False
    )
    return item, (q1, q2, q3, q4)


def answers(qs, *, stage="0", acts=("0", "2"), score="4", text=""):
    q1, q2, q3, q4 = qs
    return {f"q{q1.pk}": stage, f"q{q2.pk}": list(acts), f"q{q3.pk}": score, f"q{q4.pk}": text}


@pytest.mark.django_db
def test_one_answer_per_phone(client, survey):
    item, qs = survey
    url = f"/hudong/dc/{item.pk}/"
    response = post(client, url, {"phone": "13911112222", **answers(qs)})
    assert "问卷已提交" in response.content.decode()
    again = post(client, url, {"phone": "139 1111 2222", **answers(qs, stage="1")})
    assert again.status_code == 409 and "每人只能提交一次" in again.content.decode()
    assert SurveyResponse.objects.count() == 1
    # Only a hash of the number is kept.
    assert "13911112222" not in SurveyResponse.objects.get().respondent_key


@pytest.mark.django_db
def test_one_answer_per_session(client, django_user_model, survey):
    from django.test import Client

    item, qs = survey
    item.identify_by = "session"
    item.save()
    url = f"/hudong/dc/{item.pk}/"
    assert "问卷已提交" in post(client, url, answers(qs)).content.decode()
    assert post(client, url, answers(qs)).status_code == 409
    other = Client()
    assert "问卷已提交" in post(other, url, answers(qs)).content.decode()
    assert SurveyResponse.objects.count() == 2


@pytest.mark.django_db
def test_required_questions(client, survey):
    item, qs = survey
    url = f"/hudong/dc/{item.pk}/"
    response = post(client, url, {"phone": "13911113333", **answers(qs, acts=(), text="希望延长到六点")})
    html = response.content.decode()
    assert "此题为必答题，请作答。" in html
    assert "希望延长到六点" in html and 'value="13911113333"' in html  # what was typed is kept
    assert not SurveyResponse.objects.exists()
    # The optional text question may stay empty.
    ok = post(client, url, {"phone": "13911113333", **answers(qs)})
    assert "问卷已提交" in ok.content.decode()
    with pytest.raises(ValidationError):
        surveys.submit_response(
            survey=item, key="k", answers={qs[0].pk: ["0", "1"], qs[1].pk: ["0"], qs[2].pk: "3"}
        )


@pytest.mark.django_db
def test_text_answers_public_only_after_moderation_and_chart(client, survey, liaison):
    item, qs = survey
    key = surveys.respondent_key(survey=item, phone="13800138000")
    surveys.submit_response(
        survey=item,
        key=key,
        answers={q.pk: v for q, v in zip(qs, ["1", ["1"], "5", f"增加编程课{SCRIPT}"], strict=False)},
    )
    key2 = surveys.respondent_key(survey=item, phone="13800138001")
    surveys.submit_response(
        survey=item,
        key=key2,
        answers={q.pk: v for q, v in zip(qs, ["0", ["0", "1"], "3", "无关内容"], strict=False)},
    )
    url = f"/hudong/dc/{item.pk}/jg/"
    html = page(client, url)
    assert "增加编程课" not in html and "共收到答卷 <strong>2</strong> 份" in html
    assert 'style="width: 100.0%"' in html  # 艺术 chosen by both

    answer = SurveyAnswer.objects.get(text__startswith="增加编程课")
    outsider = liaison("civil1", "civil")
    with pytest.raises(PermissionDenied):
        surveys.moderate_text_answer(answer=answer, approve=True, actor=outsider)
    surveys.moderate_text_answer(answer=answer, approve=True, actor=liaison("edu1", "edu"))
    html = page(client, url)
    assert "增加编程课" in html and "<script>alert" not in html and "无关内容" not in html


@pytest.mark.django_db
def test_closed_survey_refuses_answers(survey):
    item, _qs = survey
    item.closes_at = now() - dt.timedelta(minutes=1)
    item.save()
    with pytest.raises(ValidationError, match="已经结束"):
        surveys.submit_response(survey=item, key="x", answers={})


@pytest.mark.django_db
def test_xlsx_export_reads_back(client, survey, liaison):
    item, qs = survey
    for i, (stage, acts, score, text) in enumerate(
        [("0", ["0"], "5", '=HYPERLINK("http://x")'), ("1", ["1", "2"], "2", ""), ("1", ["2"], "4", "好")]
    ):
        key = surveys.respondent_key(survey=item, phone=f"1370000000{i}")
        surveys.submit_response(
            survey=item,
            key=key,
            answers={q.pk: v for q, v in zip(qs, [stage, acts, score, text], strict=True)},
        )
    outsider = liaison("civil1", "civil")
    client.force_login(outsider)
    url = f"/admin/engagement/surveys/{item.pk}/results.xlsx"
    assert client.get(url).status_code == 404
    client.force_login(liaison("edu1", "edu"))
    response = client.get(url)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    summary = {(r[0], r[2]): r[3] for r in book["统计"].iter_rows(min_row=5, values_only=True)}
    assert book["统计"]["B2"].value == 3
    assert summary[("孩子所在学段", "初中")] == 2 and summary[("希望增加的课后活动", "阅读")] == 2
    assert summary[("总体满意度", "平均分")] == pytest.approx(3.67)
    sheet = book["答卷"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 3 and rows[1][3] == "艺术；阅读"
    formula_cell = sheet.cell(row=2, column=6)
    assert formula_cell.data_type == "s" and formula_cell.value.startswith("=HYPERLINK")


# -- 繁体 and the staff pages -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_traditional_variant_and_its_live_feed(client, interview, liaison):
    host = liaison("edu1", "edu")
    interviews.set_state(interview=interview, state="live", actor=host)
    interviews.publish_entry(interview=interview, actor=host, role="host", content="欢迎参加在线访谈")
    html = page(client, f"/zh-hant/hudong/ft/{interview.pk}/")
    assert "歡迎參加線上訪談" in html or "歡迎參加在線訪談" in html
    assert f'data-live-url="/zh-hant/hudong/ft/{interview.pk}/live.json"' in html
    body = client.get(f"/zh-hant/hudong/ft/{interview.pk}/live.json", {"since": 0}, HTTP_HOST=HOST).json()
    assert body["entries"][0]["content"] in ("歡迎參加在線訪談", "歡迎參加線上訪談")
    for url in ("/zh-hant/hudong/ft/", "/zh-hant/hudong/zj/", "/zh-hant/hudong/dc/"):
        assert 'lang="zh-Hant"' in page(client, url)


@pytest.mark.django_db
def test_staff_pages_open_for_the_host_unit(client, interview, survey, closed_consultation, liaison):
    item, _qs = survey
    client.force_login(liaison("edu1", "edu"))
    for url in (
        "/admin/engagement/interviews/",
        f"/admin/engagement/interviews/edit/{interview.pk}/",
        f"/admin/engagement/interviews/{interview.pk}/console/",
        "/admin/engagement/consultations/",
        f"/admin/engagement/consultations/{closed_consultation.pk}/manage/",
        "/admin/engagement/surveys/",
        f"/admin/engagement/surveys/edit/{item.pk}/",
        f"/admin/engagement/surveys/{item.pk}/manage/",
    ):
        assert client.get(url).status_code == 200, url
    listing = client.get("/admin/engagement/interviews/").content.decode()
    assert interview.title in listing and "主持台" in listing
    # Another unit's liaison does not see this interview in the list.
    client.force_login(liaison("civil1", "civil"))
    assert interview.title not in client.get("/admin/engagement/interviews/").content.decode()


@pytest.mark.django_db
def test_draft_attachments_are_checked_by_content(client, closed_consultation, liaison):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    office = liaison("edu1", "edu")
    disguised = SimpleUploadedFile("起草说明.pdf", b"MZ\x90\x00" + b"\x00" * 60 + b"PE\x00\x00" * 10)
    with pytest.raises(ValidationError, match=r"与扩展名 \.pdf 不符"):
        consultations.add_attachment(consultation=closed_consultation, uploaded_file=disguised, actor=office)
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, format="PDF")
    attachment = consultations.add_attachment(
        consultation=closed_consultation,
        uploaded_file=SimpleUploadedFile("起草说明.pdf", buffer.getvalue()),
        actor=office,
    )
    html = page(client, f"/hudong/zj/{closed_consultation.pk}/")
    assert "起草说明.pdf" in html
    response = client.get(f"/hudong/zj/{closed_consultation.pk}/fj/{attachment.pk}/", HTTP_HOST=HOST)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    with pytest.raises(PermissionDenied):
        consultations.add_attachment(
            consultation=closed_consultation,
            uploaded_file=SimpleUploadedFile("x.pdf", buffer.getvalue()),
            actor=liaison("civil1", "civil"),
        )


@pytest.mark.django_db
def test_survey_editor_refuses_a_choice_question_without_options(client, town, liaison):
    client.force_login(liaison("edu1", "edu"))
    data = {
        "organization": town["edu"].pk,
        "title": "家长满意度调查",
        "intro": "",
        "opens_at": "2026-12-01 08:00",
        "closes_at": "2026-12-20 18:00",
        "identify_by": "session",
        "results_public": "on",
        "is_published": "on",
        "questions-TOTAL_FORMS": "1",
        "questions-INITIAL_FORMS": "0",
        "questions-MIN_NUM_FORMS": "1",
        "questions-MAX_NUM_FORMS": "1000",
        "questions-0-sort_order": "1",
        "questions-0-kind": "single",
        "questions-0-required": "on",
        "questions-0-text": "孩子所在学段",
        "questions-0-options_text": "小学",
        "questions-0-scale_min": "1",
        "questions-0-scale_max": "5",
        "questions-0-ORDER": "1",
    }
    response = client.post("/admin/engagement/surveys/new/", data)
    assert response.status_code == 200
    assert "至少需要两个选项" in response.content.decode() and not Survey.objects.exists()
    data["questions-0-options_text"] = "小学\n初中"
    response = client.post("/admin/engagement/surveys/new/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Survey.objects.get().questions.get().options == ["小学", "初中"]


@pytest.mark.django_db
def test_a_refused_staff_action_keeps_what_was_typed(client, closed_consultation, liaison):
    """采纳情况 refused by a rule: the page says why in Chinese and the text typed into the form is still there."""
    closes_on = closed_consultation.closes_on
    closed_consultation.closes_on = timezone.localdate()
    closed_consultation.save()
    comment = consultations.submit_comment(
        consultation=closed_consultation, name="冯女士", phone="13611112222", content="建议校服价格公示。"
    )
    closed_consultation.closes_on = closes_on
    closed_consultation.save()
    office = liaison("edu1", "edu")
    consultations.moderate_comment(comment=comment, approve=True, actor=office)
    client.force_login(office)
    url = f"/admin/engagement/consultations/{closed_consultation.pk}/manage/"
    typed = "共收到意见1条，正在逐条研究，尚未形成结论的说明文字。"
    response = client.post(url, {"action": "feedback", "summary": typed})
    html = response.content.decode()
    assert response.status_code == 400
    assert "未填写采纳情况" in html and typed in html
    response = client.post(
        url, {"action": "adoption", "comment": comment.pk, "adoption": "partly", "reason": "   "}
    )
    html = response.content.decode()
    assert response.status_code == 400 and "写明理由" in html
    assert 'value="partly" selected' in html
    closed_consultation.refresh_from_db()
    assert not closed_consultation.feedback_summary
