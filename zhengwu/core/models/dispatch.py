"""The dispatch engine (派单 → 签收 → 退单/改派 → 延期 → 答复 → 回访 → 办结) shared by every kind of case.

A kind of case (a 12345 work order, a mailbox letter, a 差评 rectification, an emergency event) is a model of its own
app that inherits :class:`DispatchedCase` — the engine's state on the case's own row, so that lists and statistics
read one table — and registers itself with :func:`zhengwu.core.dispatch.register_case_type`. Everything that
happens to a case on the engine (assignments to units, extension requests, replies, callbacks, 督办, the timeline)
lives in the tables below, tied to the case by a generic relation (content type + id), so that supervision, the
unit workbench and 机构改革 read every kind of case the same way.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models


class DispatchState(models.TextChoices):
    PENDING = "pending", "待派单"
    HANDLING = "handling", "办理中"
    REPLIED = "replied", "已答复待审核"
    CALLBACK = "callback", "待回访"
    FINISHED = "finished", "已办结"
    MERGED = "merged", "已并单"


OPEN_DISPATCH_STATES = (
    DispatchState.PENDING,
    DispatchState.HANDLING,
    DispatchState.REPLIED,
    DispatchState.CALLBACK,
)


class AssignmentRole(models.TextChoices):
    LEAD = "lead", "主办"
    ASSIST = "assist", "协办"


class AssignmentState(models.TextChoices):
    DISPATCHED = "dispatched", "待签收"
    SIGNED = "signed", "已签收"
    RETURN_REQUESTED = "return_requested", "退单待审核"
    RETURNED = "returned", "已退单"
    CLOSED = "closed", "已结束"


CURRENT_ASSIGNMENT_STATES = (
    AssignmentState.DISPATCHED,
    AssignmentState.SIGNED,
    AssignmentState.RETURN_REQUESTED,
)


class Rating(models.TextChoices):
    SATISFIED = "满意", "满意"
    BASICALLY = "基本满意", "基本满意"
    UNSATISFIED = "不满意", "不满意"


SATISFIED_RATINGS = (Rating.SATISFIED, Rating.BASICALLY)


class DispatchedCase(models.Model):
    """What the engine keeps on the case's own row (abstract: each kind of case has its own table).

    The ``lead_*`` and ``finished_on_time`` columns are copies taken when a clock stops (a stopped clock never
    changes again), so that statistics count a column instead of joining clocks; the live clocks stay the
    authority while a case is open. Cases imported from an old system carry the same columns, computed by the same
    clock engine, without live clocks.
    """

    dispatch_state = models.CharField(
        "办理状态", max_length=12, choices=DispatchState.choices, default=DispatchState.PENDING, db_index=True
    )
    lead_unit = models.ForeignKey(
        "core.Organization",
        verbose_name="主办单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    lead_dispatched_at = models.DateTimeField("派单时间", null=True, blank=True)
    lead_signed_at = models.DateTimeField("签收时间", null=True, blank=True)
    lead_signed_on_time = models.BooleanField("按时签收", null=True, blank=True)
    handle_clock = models.ForeignKey(
        "core.CaseClock",
        verbose_name="办理时限",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    handle_due_at = models.DateTimeField("办理截止时间", null=True, blank=True)
    extended_workdays = models.PositiveSmallIntegerField("延期工作日", default=0)
    handle_warned_at = models.DateTimeField("已发办理预警提醒", null=True, blank=True)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    public_reply = models.TextField(
        "公开答复", blank=True, help_text="审核通过的答复（或直接答复），告知来电人、在查询和接口中公开。"
    )
    finished_at = models.DateTimeField("办结时间", null=True, blank=True)
    finished_on_time = models.BooleanField("按期办结", null=True, blank=True)
    visit_count = models.PositiveSmallIntegerField("回访次数", default=0)
    last_rating = models.CharField("最近一次回访评价", max_length=8, choices=Rating.choices, blank=True)
    urge_count = models.PositiveSmallIntegerField("督办次数", default=0)
    redo_count = models.PositiveSmallIntegerField("重办次数", default=0)
    merged_into = models.ForeignKey(
        "self",
        verbose_name="并入",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_cases",
    )

    assignments = GenericRelation("core.Assignment", object_id_field="object_id")
    dispatch_events = GenericRelation("core.DispatchEvent", object_id_field="object_id")

    class Meta:
        abstract = True

    @property
    def is_dispatch_open(self) -> bool:
        return self.dispatch_state in OPEN_DISPATCH_STATES


class CaseLink(models.Model):
    """The generic tie of an engine row to its case."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+", db_index=False)
    object_id = models.BigIntegerField()
    case = GenericForeignKey("content_type", "object_id")

    class Meta:
        abstract = True


class Assignment(CaseLink):
    """One unit's part in a case: 主办 or 协办, from 派单 to 签收, 退单 or the end of the case."""

    organization = models.ForeignKey(
        "core.Organization", verbose_name="承办单位", on_delete=models.PROTECT, related_name="assignments"
    )
    role = models.CharField("角色", max_length=8, choices=AssignmentRole.choices)
    state = models.CharField("状态", max_length=20, choices=AssignmentState.choices)
    dispatched_at = models.DateTimeField("派单时间")
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outside_catalog_reason = models.CharField("派单目录外派单理由", max_length=300, blank=True)
    instructions = models.TextField("派单意见", blank=True)
    sign_clock = models.ForeignKey(
        "core.CaseClock",
        verbose_name="签收时限",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sign_due_at = models.DateTimeField("签收截止时间", null=True, blank=True)
    signed_at = models.DateTimeField("签收时间", null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_on_time = models.BooleanField("按时签收", null=True, blank=True)
    return_reason = models.CharField("退单理由", max_length=500, blank=True)
    return_requested_at = models.DateTimeField("申请退单时间", null=True, blank=True)
    return_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    returned_at = models.DateTimeField("退单时间", null=True, blank=True)
    return_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    return_refusal = models.CharField("不同意退单的理由", max_length=300, blank=True)
    warned_at = models.DateTimeField("已发预警提醒", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "派单"
        verbose_name_plural = "派单"
        ordering = ["dispatched_at", "pk"]
        indexes = [
            models.Index(fields=["content_type", "object_id"]),
            models.Index(fields=["organization", "state"]),
        ]
        permissions = [
            ("handle_assignment", "签收、退单、申请延期、答复交办本单位的事项（承办单位）"),
            ("dispatch_cases", "派单、改派、审核退单和延期、审核答复、回访、办结、并单（热线）"),
            ("supervise_cases", "督办超期事项、批准延期（热线值班长）"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}：{self.organization}（{self.get_state_display()}）"

    @property
    def is_current(self) -> bool:
        return self.state in CURRENT_ASSIGNMENT_STATES


class ExtensionState(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REFUSED = "refused", "不予批准"


class ExtensionRequest(CaseLink):
    """延期: asked by the lead unit in working days, approved by the hotline before the due date."""

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="extension_requests")
    workdays = models.PositiveSmallIntegerField("延期工作日")
    reason = models.CharField("延期理由", max_length=500)
    requested_at = models.DateTimeField("申请时间")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField("审批状态", max_length=10, choices=ExtensionState.choices)
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_note = models.CharField("审批意见", max_length=300, blank=True)

    class Meta:
        verbose_name = "延期申请"
        verbose_name_plural = "延期申请"
        ordering = ["requested_at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"延期{self.workdays}个工作日（{self.get_state_display()}）"


class ReplyState(models.TextChoices):
    PENDING = "pending", "待审核"
    ACCEPTED = "accepted", "审核通过"
    SENT_BACK = "sent_back", "退回重办"
    OPINION = "opinion", "协办意见"


class CaseReply(CaseLink):
    """答复 of a unit (the lead's reply closes its handling; an assisting unit's is an opinion to the lead)."""

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="replies")
    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT, related_name="+")
    text = models.TextField("答复内容")
    replied_at = models.DateTimeField("答复时间")
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField("审核", max_length=10, choices=ReplyState.choices)
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_note = models.CharField("审核意见", max_length=500, blank=True)

    class Meta:
        verbose_name = "答复"
        verbose_name_plural = "答复"
        ordering = ["replied_at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.organization}的答复（{self.get_state_display()}）"


class ReplyAttachment(models.Model):
    reply = models.ForeignKey(CaseReply, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("附件", upload_to="dispatch/replies/%Y/%m/")
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小")
    kind = models.CharField("类型", max_length=20)

    class Meta:
        verbose_name = "答复附件"
        verbose_name_plural = "答复附件"

    def __str__(self) -> str:
        return self.name


class Callback(CaseLink):
    """回访: the hotline asks the person how the matter was handled."""

    at = models.DateTimeField("回访时间")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rating = models.CharField("评价", max_length=8, choices=Rating.choices)
    note = models.CharField("回访记录", max_length=500, blank=True)

    class Meta:
        verbose_name = "回访"
        verbose_name_plural = "回访"
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"回访：{self.rating}"


class DispatchEvent(CaseLink):
    """One step of a case's timeline on the engine, in words a person reads."""

    kind = models.CharField("环节", max_length=30)
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organization = models.ForeignKey(
        "core.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    text = models.CharField("说明", max_length=600)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "办理环节"
        verbose_name_plural = "办理环节"
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"])]

    def __str__(self) -> str:
        return self.text


class DispatchStage(models.TextChoices):
    SIGN = "sign", "签收"
    HANDLE = "handle", "办理"


class DispatchLimit(models.Model):
    """Which time-limit rule applies to a stage of a kind of case, by urgency and request kind (data).

    The most specific row wins: urgency and request kind both given, then urgency only, then kind only, then
    neither. Loaded from each app's rules file and editable in the admin; the limits themselves are
    :class:`~zhengwu.core.models.ClockPolicy` rows.
    """

    case_type = models.SlugField("事项类型", max_length=40)
    stage = models.CharField("环节", max_length=10, choices=DispatchStage.choices)
    urgency = models.CharField("紧急程度", max_length=10, blank=True, help_text="留空表示任意。")
    request_kind = models.CharField("诉求类型", max_length=10, blank=True, help_text="留空表示任意。")
    policy = models.ForeignKey("core.ClockPolicy", verbose_name="时限规则", on_delete=models.PROTECT)

    class Meta:
        verbose_name = "派单时限"
        verbose_name_plural = "派单时限"
        ordering = ["case_type", "stage", "urgency", "request_kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["case_type", "stage", "urgency", "request_kind"], name="dispatch_limit_unique"
            )
        ]

    def __str__(self) -> str:
        scope = "、".join(part for part in (self.urgency, self.request_kind) if part) or "其他"
        return f"{self.get_stage_display()}（{scope}）：{self.policy}"
