"""在线访谈, 意见征集 and 调查问卷: the public's part in decisions, each owned by a host organization."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel


class Moderation(models.TextChoices):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "已通过"
    REJECTED = "rejected", "未通过"


# -- 在线访谈 ---------------------------------------------------------------------------------------------------


class InterviewState(models.TextChoices):
    UPCOMING = "upcoming", "预告"
    LIVE = "live", "正在直播"
    ENDED = "ended", "已结束"


class Interview(ClusterableModel):
    organization = models.ForeignKey(
        "core.Organization", verbose_name="主办单位", on_delete=models.PROTECT, related_name="interviews"
    )
    title = models.CharField("访谈主题", max_length=120)
    intro = models.TextField("访谈简介", blank=True)
    starts_at = models.DateTimeField("访谈时间")
    ends_at = models.DateTimeField("预计结束时间")
    state = models.CharField(
        "状态", max_length=10, choices=InterviewState.choices, default=InterviewState.UPCOMING
    )
    is_published = models.BooleanField("在网站上显示", default=True)
    summary = models.TextField("访谈摘要", blank=True, help_text="访谈结束后发布，显示在文字实录之前。")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "在线访谈"
        verbose_name_plural = "在线访谈"
        ordering = ["-starts_at", "-pk"]
        permissions = [("host_interview", "主持在线访谈、审核网民提问")]

    def __str__(self) -> str:
        return self.title


class InterviewGuest(models.Model):
    interview = ParentalKey(Interview, on_delete=models.CASCADE, related_name="guests")
    name = models.CharField("嘉宾姓名", max_length=40)
    position = models.CharField("职务", max_length=80)
    photo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name="照片",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "访谈嘉宾"
        verbose_name_plural = "访谈嘉宾"
        ordering = ["sort_order", "pk"]

    def __str__(self) -> str:
        return f"{self.name}（{self.position}）"


class InterviewQuestion(models.Model):
    """A question from the public, before or during the interview; shown only once approved."""

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="questions")
    nickname = models.CharField("网民昵称", max_length=30)
    content = models.TextField("提问内容")
    submitted_at = models.DateTimeField("提问时间", default=timezone.now)
    during_live = models.BooleanField("直播中提问", default=False)
    status = models.CharField(
        "审核状态", max_length=10, choices=Moderation.choices, default=Moderation.PENDING
    )
    moderated_at = models.DateTimeField("审核时间", null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = "网民提问"
        verbose_name_plural = "网民提问"
        ordering = ["submitted_at", "pk"]
        indexes = [models.Index(fields=["interview", "status"])]

    def __str__(self) -> str:
        return self.content[:30]


class EntryRole(models.TextChoices):
    HOST = "host", "主持人"
    GUEST = "guest", "嘉宾"
    QUESTION = "question", "网友提问"


class InterviewEntry(models.Model):
    """One line of the live transcript, published by the host. Its primary key is the public page's cursor."""

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="entries")
    role = models.CharField("发言类别", max_length=10, choices=EntryRole.choices)
    guest = models.ForeignKey(
        InterviewGuest,
        verbose_name="嘉宾",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    question = models.ForeignKey(
        InterviewQuestion, null=True, blank=True, on_delete=models.SET_NULL, related_name="entries"
    )
    speaker = models.CharField("发言人", max_length=60)
    content = models.TextField("内容")
    published_at = models.DateTimeField("发布时间", default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Sent by the host's page with each post: a post repeated after a dropped connection is stored once.
    client_token = models.CharField(max_length=40, blank=True)

    class Meta:
        verbose_name = "访谈实录"
        verbose_name_plural = "访谈实录"
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["interview", "client_token"],
                condition=~Q(client_token=""),
                name="interview_entry_token_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.speaker}：{self.content[:30]}"


# -- 意见征集 ---------------------------------------------------------------------------------------------------


class Consultation(models.Model):
    organization = models.ForeignKey(
        "core.Organization", verbose_name="起草单位", on_delete=models.PROTECT, related_name="consultations"
    )
    title = models.CharField("征集标题", max_length=150)
    draft = models.TextField("草案全文")
    explanation = models.TextField("起草说明", blank=True)
    is_major_decision = models.BooleanField(
        "重大行政决策事项",
        default=False,
        help_text="重大行政决策草案公开征求意见的期限一般不少于 30 日（《重大行政决策程序暂行条例》第十四条）。",
    )
    opens_on = models.DateField("开始日期")
    closes_on = models.DateField("截止日期")
    contact = models.CharField("联系方式", max_length=200, blank=True)
    is_published = models.BooleanField("在网站上显示", default=True)
    feedback_summary = models.TextField("采纳情况说明", blank=True)
    feedback_published_at = models.DateTimeField("采纳情况发布时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "意见征集"
        verbose_name_plural = "意见征集"
        ordering = ["-opens_on", "-pk"]
        permissions = [("moderate_consultation", "审核征集意见、发布采纳情况")]

    def __str__(self) -> str:
        return self.title

    def is_open(self, on=None) -> bool:
        on = on or timezone.localdate()
        return self.opens_on <= on <= self.closes_on

    def is_closed(self, on=None) -> bool:
        return (on or timezone.localdate()) > self.closes_on


class ConsultationAttachment(models.Model):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="consultations/%Y/%m/")
    display_name = models.CharField("文件名", max_length=120)
    kind = models.CharField(max_length=10)
    size = models.PositiveIntegerField(default=0)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "征集附件"
        verbose_name_plural = "征集附件"
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.display_name


class Adoption(models.TextChoices):
    UNDECIDED = "", "未处理"
    ADOPTED = "adopted", "采纳"
    PARTLY = "partly", "部分采纳"
    NOT_ADOPTED = "not_adopted", "未采纳"


class ConsultationComment(models.Model):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="comments")
    name = models.CharField("姓名", max_length=40)
    phone = models.CharField("联系电话", max_length=20)
    content = models.TextField("意见内容")
    submitted_at = models.DateTimeField("提交时间", default=timezone.now)
    status = models.CharField(
        "审核状态", max_length=10, choices=Moderation.choices, default=Moderation.PENDING
    )
    moderated_at = models.DateTimeField("审核时间", null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    adoption = models.CharField("采纳情况", max_length=12, choices=Adoption.choices, blank=True, default="")
    adoption_reason = models.TextField("理由", blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = "征集意见"
        verbose_name_plural = "征集意见"
        ordering = ["submitted_at", "pk"]
        indexes = [models.Index(fields=["consultation", "status"])]

    def __str__(self) -> str:
        return self.content[:30]


# -- 调查问卷 ---------------------------------------------------------------------------------------------------


class Identification(models.TextChoices):
    PHONE = "phone", "手机号码（每个号码限答一次）"
    SESSION = "session", "浏览器会话（每个会话限答一次）"


class Survey(ClusterableModel):
    organization = models.ForeignKey(
        "core.Organization", verbose_name="发起单位", on_delete=models.PROTECT, related_name="surveys"
    )
    title = models.CharField("问卷标题", max_length=120)
    intro = models.TextField("问卷说明", blank=True)
    opens_at = models.DateTimeField("开始时间")
    closes_at = models.DateTimeField("截止时间")
    identify_by = models.CharField(
        "限答方式", max_length=10, choices=Identification.choices, default=Identification.PHONE
    )
    results_public = models.BooleanField("公开调查结果", default=True)
    is_published = models.BooleanField("在网站上显示", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "调查问卷"
        verbose_name_plural = "调查问卷"
        ordering = ["-opens_at", "-pk"]
        permissions = [("moderate_survey", "审核问卷文字答复、导出结果")]

    def __str__(self) -> str:
        return self.title

    def is_open(self, at=None) -> bool:
        at = at or timezone.now()
        return self.opens_at <= at < self.closes_at


class QuestionKind(models.TextChoices):
    SINGLE = "single", "单选"
    MULTIPLE = "multiple", "多选"
    TEXT = "text", "文字"
    SCALE = "scale", "打分"


class SurveyQuestion(models.Model):
    survey = ParentalKey(Survey, on_delete=models.CASCADE, related_name="questions")
    sort_order = models.PositiveSmallIntegerField("序号", default=0)
    kind = models.CharField("题型", max_length=10, choices=QuestionKind.choices)
    text = models.CharField("题目", max_length=200)
    required = models.BooleanField("必答", default=True)
    options_text = models.TextField("选项", blank=True, help_text="单选、多选题的选项，每行一个。")
    scale_min = models.SmallIntegerField("最低分", default=1)
    scale_max = models.SmallIntegerField("最高分", default=5)

    class Meta:
        verbose_name = "问卷题目"
        verbose_name_plural = "问卷题目"
        ordering = ["sort_order", "pk"]

    def __str__(self) -> str:
        return self.text

    @property
    def options(self) -> list[str]:
        return [line.strip() for line in self.options_text.splitlines() if line.strip()]


class SurveyResponse(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    # SHA-256 of the phone number or session key with the survey: one answer per person, no number kept.
    respondent_key = models.CharField(max_length=64)
    submitted_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = "问卷答卷"
        verbose_name_plural = "问卷答卷"
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "respondent_key"], name="survey_one_response_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.survey} 答卷 {self.pk}"


class SurveyAnswer(models.Model):
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(SurveyQuestion, on_delete=models.CASCADE, related_name="answers")
    choices = models.JSONField(default=list, blank=True)  # option indexes
    text = models.TextField(blank=True)
    score = models.SmallIntegerField(null=True, blank=True)
    text_status = models.CharField(max_length=10, choices=Moderation.choices, blank=True, default="")

    class Meta:
        verbose_name = "问卷答案"
        verbose_name_plural = "问卷答案"
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.question}：{self.text or self.score or self.choices}"
