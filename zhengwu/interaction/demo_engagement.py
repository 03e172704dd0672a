"""The demo county's 在线访谈, 意见征集 and 调查问卷: an archived interview with its transcript and an upcoming one
taking questions, a consultation open now (a 重大行政决策 draft, 30 days) and a closed one with its published
采纳情况, and a survey with answers. Deterministic: every figure comes from the demo's seeded generator."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from zhengwu.core.registry import DemoContext, demo_step

BJ = ZoneInfo("Asia/Shanghai")

ARCHIVED_TRANSCRIPT = [
    (
        "host",
        None,
        "各位网友大家好！今天我们邀请到县教育体育局的负责同志，就今年义务教育阶段招生入学政策与大家在线交流。",
    ),
    (
        "guest",
        0,
        "大家好！今年我县继续实行免试就近入学，公办学校按划定的学区招生，招生计划和学区范围已在县政府门户网站公布。",
    ),
    ("question", "家长小周", "随迁子女在县城上学需要准备哪些材料？"),
    (
        "guest",
        1,
        "随迁子女凭居住证（或居住登记凭证）、户口簿和父母一方的就业或经营证明即可报名，由教育体育局统筹安排学位。",
    ),
    ("question", "乔庄居民", "今年小学一年级报名可以在网上办理吗？"),
    (
        "guest",
        0,
        "可以。7月10日至7月20日通过“示范县义务教育招生平台”网上报名，不会操作的家长可以到学校现场登记。",
    ),
    ("question", "关心教育的网友", "学区划分会不会调整？"),
    (
        "guest",
        1,
        "今年城区新增一所小学，相关片区有小幅调整，调整方案已经公示，家长可以在学校门口和网站查看。",
    ),
    ("host", None, "感谢两位嘉宾的解答，也感谢广大网友的参与。本期访谈到此结束。"),
]

CONSULTATION_COMMENTS = [
    ("建议在老旧小区增设电动自行车集中充电设施，并明确维护责任单位。", "adopted", ""),
    (
        "建议将停车泊位改造纳入规划，缓解城区停车难。",
        "partly",
        "停车泊位改造已列入专项规划，本规划只作原则性表述。",
    ),
    (
        "建议取消县城所有路边停车收费。",
        "not_adopted",
        "路边停车收费依据市物价部门核定标准执行，不属于本规划调整范围。",
    ),
    ("建议增加公园绿地和健身步道。", "adopted", ""),
    (
        "希望城区主干道增加公交线路，方便乡镇群众进城。",
        "partly",
        "公交线路调整由交通运输部门另行研究，本规划预留公交场站用地。",
    ),
    ("建议规划中明确历史街区保护范围。", "adopted", ""),
]

OPEN_COMMENTS = [
    ("建议对农村低收入家庭的医疗救助提高报销比例。", "approved"),
    ("希望把临时救助的申请时限放宽到事发后三个月内。", "approved"),
    ("建议公布救助资金的发放明细，接受群众监督。", "pending"),
]

SURVEY_QUESTIONS = [
    ("single", "您的孩子目前就读的学段", "小学\n初中", True),
    (
        "multiple",
        "您希望课后服务增加哪些内容（可多选）",
        "体育锻炼\n艺术素养\n阅读写作\n科技编程\n作业辅导",
        True,
    ),
    ("scale", "您对目前课后服务的总体满意程度（1 分最低，5 分最高）", "", True),
    ("single", "您认为合适的课后服务结束时间", "17:00\n17:30\n18:00", True),
    ("text", "您对课后服务还有哪些意见和建议", "", False),
]

TEXT_ANSWERS = [
    "希望增加足球和篮球训练。",
    "作业辅导的老师能不能多一些，孩子回家还有很多作业。",
    "建议低年级增加绘本阅读。",
    "希望延长到六点，家长下班来得及接。",
    "收费能不能公开明细？",
]


def _portrait(name: str, seed: int):
    """A guest's photo drawn here (no photograph is shipped): a head-and-shoulders silhouette on a plain ground."""
    import random

    from PIL import Image as PILImage
    from PIL import ImageDraw

    from zhengwu.portal.demo_portal import _wagtail_image

    rng = random.Random(seed)
    picture = PILImage.new("RGB", (320, 400), (rng.randint(200, 230), rng.randint(210, 235), 240))
    draw = ImageDraw.Draw(picture)
    suit = (rng.randint(20, 60), rng.randint(30, 60), rng.randint(60, 90))
    draw.ellipse((40, 250, 280, 520), fill=suit)
    draw.polygon([(140, 260), (160, 330), (180, 260)], fill=(245, 245, 245))
    draw.ellipse((105, 90, 215, 230), fill=(236, 200, 170))
    draw.pieslice((100, 80, 220, 180), 180, 360, fill=(30, 30, 30))
    return _wagtail_image(f"{name} 照片", picture, f"guest-{seed}.jpg")


@demo_step(75, "在线访谈、意见征集和调查问卷")
def build_engagement(ctx: DemoContext) -> None:
    from django.utils import timezone

    from .models.engagement import (
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
    from .services.surveys import respondent_key

    if Interview.objects.exists():
        return
    orgs = ctx.objects["orgs"]
    edu, civil, housing = orgs["JTJ"], orgs["MZJ"], orgs["ZJJ"]
    now = timezone.now().astimezone(BJ).replace(second=0, microsecond=0)
    today = now.date()

    # -- an archived interview with its transcript, and an upcoming one taking questions --
    past_start = (now - dt.timedelta(days=92)).replace(hour=15, minute=0)
    archived = Interview.objects.create(
        organization=edu,
        title="2026年义务教育招生入学工作在线访谈",
        intro="县教育体育局负责同志就今年义务教育招生入学政策与网友在线交流。",
        starts_at=past_start,
        ends_at=past_start + dt.timedelta(hours=1, minutes=30),
        state="ended",
        summary="嘉宾介绍了今年免试就近入学、随迁子女入学、网上报名和学区调整等政策，回答网友提问 3 个。",
    )
    guests = [
        InterviewGuest.objects.create(
            interview=archived,
            name=name,
            position=position,
            photo=_portrait(name, ctx.seed + i),
            sort_order=i + 1,
        )
        for i, (name, position) in enumerate(
            [("何明远", "县教育体育局局长"), ("梁晓燕", "县教育体育局基础教育股股长")]
        )
    ]
    moment = past_start
    for role, who, content in ARCHIVED_TRANSCRIPT:
        moment += dt.timedelta(minutes=ctx.rng.randint(4, 9))
        question = None
        if role == "question":
            question = InterviewQuestion.objects.create(
                interview=archived,
                nickname=who,
                content=content,
                submitted_at=moment - dt.timedelta(days=ctx.rng.randint(0, 3), minutes=30),
                status="approved",
                moderated_at=moment,
            )
            speaker = f"网友“{who}”"
        elif role == "guest":
            speaker = guests[who].name
        else:
            speaker = "主持人"
        InterviewEntry.objects.create(
            interview=archived,
            role=role,
            guest=guests[who] if role == "guest" else None,
            question=question,
            speaker=speaker,
            content=content,
            published_at=moment,
        )
    InterviewQuestion.objects.create(
        interview=archived,
        nickname="匿名网友",
        content="与访谈主题无关的商品推广信息",
        submitted_at=past_start - dt.timedelta(hours=3),
        status="rejected",
        moderated_at=past_start - dt.timedelta(hours=2),
    )

    upcoming_start = (now + dt.timedelta(days=6)).replace(hour=9, minute=30)
    upcoming = Interview.objects.create(
        organization=civil,
        title="城乡低保和临时救助政策在线访谈",
        intro="县民政局负责同志将解读城乡最低生活保障和临时救助政策，欢迎网友提前提问。",
        starts_at=upcoming_start,
        ends_at=upcoming_start + dt.timedelta(hours=1),
    )
    InterviewGuest.objects.create(
        interview=upcoming,
        name="宋建国",
        position="县民政局局长",
        photo=_portrait("宋建国", ctx.seed + 9),
        sort_order=1,
    )
    for nickname, content, status in [
        ("城关居民", "低保申请需要多长时间能审批下来？", "approved"),
        ("农村网友", "家里突发重病，可以申请临时救助吗？", "approved"),
        ("热心市民", "低保家庭的孩子上学有没有补助？", "pending"),
    ]:
        InterviewQuestion.objects.create(
            interview=upcoming,
            nickname=nickname,
            content=content,
            submitted_at=now - dt.timedelta(hours=ctx.rng.randint(2, 40)),
            status=status,
            moderated_at=now if status != "pending" else None,
        )

    # -- a closed consultation with its published 采纳情况, and an open 重大行政决策 draft --
    closed = Consultation.objects.create(
        organization=housing,
        title="示范县城区老旧小区改造规划（2026—2030年）（征求意见稿）",
        explanation="为推进城区老旧小区改造，县住房和城乡建设局起草了本规划，现公开征求社会公众意见。",
        draft="第一章 总则\n第一条 为改善城区老旧小区居住条件……\n第二章 改造内容\n第五条 基础类改造包括供水、排水、供电、道路……",
        is_major_decision=True,
        opens_on=today - dt.timedelta(days=75),
        closes_on=today - dt.timedelta(days=45),
        contact="县住房和城乡建设局城建股，电话 0000-1234567",
    )
    for i, (content, adoption, reason) in enumerate(CONSULTATION_COMMENTS):
        ConsultationComment.objects.create(
            consultation=closed,
            name=f"网友{i + 1}",
            phone=f"1390000{ctx.rng.randint(1000, 9999)}",
            content=content,
            submitted_at=timezone.make_aware(
                dt.datetime.combine(closed.opens_on + dt.timedelta(days=3 + i * 4), dt.time(10)), BJ
            ),
            status="approved",
            moderated_at=now - dt.timedelta(days=44),
            adoption=adoption,
            adoption_reason=reason,
        )
    ConsultationComment.objects.create(
        consultation=closed,
        name="匿名",
        phone="13900000000",
        content="与规划无关的广告信息",
        submitted_at=timezone.make_aware(dt.datetime.combine(closed.opens_on, dt.time(9)), BJ),
        status="rejected",
    )
    closed.feedback_summary = (
        "征求意见期间共收到意见建议 7 条，其中有效意见 6 条：采纳 3 条，部分采纳 2 条，未采纳 1 条。"
        "未采纳和部分采纳的理由见下表。感谢社会各界的关心和支持。"
    )
    closed.feedback_published_at = now - dt.timedelta(days=30)
    closed.save()

    opened = Consultation.objects.create(
        organization=civil,
        title="示范县社会救助实施办法（征求意见稿）",
        explanation="根据《社会救助暂行办法》，结合我县实际，县民政局起草了本办法，属重大行政决策事项，征求意见期限 30 日。",
        draft="第一条 为保障困难群众基本生活……\n第二条 本办法所称社会救助，包括最低生活保障、特困人员供养、临时救助……",
        is_major_decision=True,
        opens_on=today - dt.timedelta(days=5),
        closes_on=today + dt.timedelta(days=24),
        contact="县民政局社会救助股，电话 0000-7654321",
    )
    for i, (content, status) in enumerate(OPEN_COMMENTS):
        ConsultationComment.objects.create(
            consultation=opened,
            name=f"群众{i + 1}",
            phone=f"1370000{ctx.rng.randint(1000, 9999)}",
            content=content,
            submitted_at=now - dt.timedelta(days=4 - i),
            status=status,
            moderated_at=now if status == "approved" else None,
        )

    # -- a survey with answers --
    survey = Survey.objects.create(
        organization=edu,
        title="示范县中小学课后服务满意度调查",
        intro="为进一步办好课后服务，请家长朋友们抽出几分钟填写问卷。每个手机号码限答一次。",
        opens_at=now - dt.timedelta(days=10),
        closes_at=now + dt.timedelta(days=20),
        identify_by="phone",
    )
    questions = [
        SurveyQuestion.objects.create(
            survey=survey, sort_order=i + 1, kind=kind, text=text, options_text=options, required=required
        )
        for i, (kind, text, options, required) in enumerate(SURVEY_QUESTIONS)
    ]
    count = max(12, int(120 * ctx.scale))
    answers = []
    for n in range(count):
        response = SurveyResponse.objects.create(
            survey=survey,
            respondent_key=respondent_key(survey=survey, phone=f"1355{n:07d}"),
            submitted_at=now - dt.timedelta(days=ctx.rng.randint(0, 9), minutes=ctx.rng.randint(0, 600)),
        )
        stage, acts, score, finish, text = questions
        answers.append(
            SurveyAnswer(response=response, question=stage, choices=[ctx.rng.choices([0, 1], [6, 4])[0]])
        )
        picked = sorted(ctx.rng.sample(range(5), ctx.rng.randint(1, 3)))
        answers.append(SurveyAnswer(response=response, question=acts, choices=picked))
        answers.append(
            SurveyAnswer(
                response=response, question=score, score=ctx.rng.choices([1, 2, 3, 4, 5], [1, 2, 5, 9, 7])[0]
            )
        )
        answers.append(
            SurveyAnswer(
                response=response, question=finish, choices=[ctx.rng.choices([0, 1, 2], [2, 5, 4])[0]]
            )
        )
        if n < len(TEXT_ANSWERS) * 2 and n % 2 == 0:
            answers.append(
                SurveyAnswer(
                    response=response,
                    question=text,
                    text=TEXT_ANSWERS[n // 2],
                    text_status="approved" if n // 2 < 3 else "pending",
                )
            )
    SurveyAnswer.objects.bulk_create(answers)
    ctx.log(f"在线访谈 2 期、意见征集 2 项、调查问卷 1 份（答卷 {count} 份）")
