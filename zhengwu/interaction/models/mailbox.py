"""书记/县长/部门信箱: mailboxes configured by the county, the letters written to them, and the reasons a letter is not
accepted. A letter runs on core's dispatch engine once screened as 有效 (assignment, 签收, 退单, 延期, reply, review,
clock), as the 12345 work order does."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from zhengwu.core.models.dispatch import DispatchedCase, DispatchState


class LetterKind(models.TextChoices):
    CONSULT = "咨询", "咨询"
    COMPLAINT = "投诉", "投诉"
    SUGGESTION = "建议", "建议"
    HELP = "求助", "求助"


# Working days from receipt to the reply, per kind (local practice; editable per mailbox).
DEFAULT_DEADLINES = {"咨询": 5, "求助": 5, "投诉": 15, "建议": 15}


def default_kinds() -> list[str]:
    return list(LetterKind.values)


def default_deadlines() -> dict[str, int]:
    return dict(DEFAULT_DEADLINES)


class Mailbox(models.Model):
    """One 信箱 (书记信箱, 县长信箱, a department's or a town's): what it accepts and who answers for it."""

    code = models.SlugField(
        "信箱代码", max_length=30, unique=True, help_text="用于网址和统计命令，建立后不要修改。"
    )
    name = models.CharField("信箱名称", max_length=40)
    organization = models.ForeignKey(
        "core.Organization",
        verbose_name="信箱办公室所在单位",
        on_delete=models.PROTECT,
        related_name="mailboxes",
        help_text="该单位有“信箱办理”权限的工作人员审查来信、交办、审核和发布答复。",
    )
    intro = models.TextField("信箱说明", blank=True)
    kinds = models.JSONField(
        "受理类型", default=default_kinds, help_text="咨询、投诉、建议、求助中的若干项。"
    )
    title_min = models.PositiveSmallIntegerField("标题最少字数", default=4)
    title_max = models.PositiveSmallIntegerField("标题最多字数", default=30)
    body_min = models.PositiveSmallIntegerField("正文最少字数", default=10)
    body_max = models.PositiveSmallIntegerField("正文最多字数", default=1500)
    deadlines = models.JSONField(
        "答复时限（工作日）",
        default=default_deadlines,
        help_text='按类型设置自收信之日起的答复时限，如 {"咨询": 5, "投诉": 15}。',
    )
    show_summary = models.BooleanField("在信箱页面公开统计", default=True)
    is_active = models.BooleanField("启用", default=True)
    sort_order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "信箱"
        verbose_name_plural = "信箱"
        ordering = ["sort_order", "pk"]
        permissions = [
            ("handle_letters", "信箱办理（审查、交办、审核发布答复、督办）"),
            ("view_letter_kpi", "查看信箱统计"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        kinds = self.kinds if isinstance(self.kinds, list) else []
        if not kinds or any(kind not in LetterKind.values for kind in kinds):
            errors["kinds"] = "受理类型只能是咨询、投诉、建议、求助，且至少选择一项。"
        deadlines = self.deadlines if isinstance(self.deadlines, dict) else {}
        for kind in kinds:
            value = deadlines.get(kind)
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 60:
                errors["deadlines"] = f"请为“{kind}”设置 1 至 60 个工作日的答复时限。"
                break
        if self.title_min < 1 or self.title_min > self.title_max:
            errors["title_max"] = "标题字数上限须不小于下限。"
        if self.body_min < 1 or self.body_min > self.body_max:
            errors["body_max"] = "正文字数上限须不小于下限。"
        if errors:
            raise ValidationError(errors)

    def deadline_for(self, kind: str) -> int:
        value = (self.deadlines or {}).get(kind)
        return int(value) if value else DEFAULT_DEADLINES.get(kind, 15)


class RefusalReason(models.Model):
    """A stated reason for not accepting a letter (不予受理), with the text the writer is sent."""

    code = models.SlugField("代码", max_length=30, unique=True)
    name = models.CharField("理由", max_length=60)
    text = models.TextField("告知来信人的内容")
    source = models.CharField("依据", max_length=200, blank=True)
    is_active = models.BooleanField("启用", default=True)
    sort_order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "不予受理理由"
        verbose_name_plural = "不予受理理由"
        ordering = ["sort_order", "pk"]

    def __str__(self) -> str:
        return self.name


class Screening(models.TextChoices):
    PENDING = "pending", "待审查"
    VALID = "valid", "有效"
    REFUSED = "refused", "不予受理"


class LetterOrigin(models.TextChoices):
    WEB = "web", "网站来信"
    IMPORT = "import", "历史数据导入"


class Letter(DispatchedCase):
    """一封来信: written on the mailbox page (or imported), screened by the mailbox office, then handled on the
    dispatch engine. ``reply_due_at`` is the mailbox's limit for the kind, counted from receipt on the core clock;
    ``released_at`` is when the office released the reply to the writer."""

    mailbox = models.ForeignKey(
        Mailbox, verbose_name="信箱", on_delete=models.PROTECT, related_name="letters"
    )
    tracking_number = models.CharField("信件编号", max_length=30, unique=True)
    query_code_hash = models.CharField(max_length=128, blank=True)
    external_id = models.CharField("原系统编号", max_length=64, blank=True)
    origin = models.CharField("来源", max_length=10, choices=LetterOrigin.choices, default=LetterOrigin.WEB)
    received_at = models.DateTimeField("来信时间", db_index=True)
    kind = models.CharField("类型", max_length=4, choices=LetterKind.choices)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容")
    writer_name = models.CharField("来信人", max_length=40)
    writer_phone = models.CharField("联系电话", max_length=30, db_index=True)
    public_consent = models.BooleanField("同意公开", default=False)
    ip_address = models.GenericIPAddressField("来信地址", null=True, blank=True)
    screening = models.CharField(
        "审查", max_length=10, choices=Screening.choices, default=Screening.PENDING, db_index=True
    )
    refusal = models.ForeignKey(
        RefusalReason,
        verbose_name="不予受理理由",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    refusal_text = models.TextField("告知来信人的不予受理理由", blank=True)
    screened_at = models.DateTimeField("审查时间", null=True, blank=True)
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reply_due_at = models.DateTimeField("答复期限", null=True, blank=True)
    released_at = models.DateTimeField("答复发布时间", null=True, blank=True, db_index=True)
    rated_at = models.DateTimeField("评价时间", null=True, blank=True)
    published = models.BooleanField("来信选登", default=False)
    published_title = models.CharField("公开标题", max_length=200, blank=True)
    published_body = models.TextField("公开内容", blank=True, help_text="去除来信人个人信息后的来信内容。")
    published_reply = models.TextField("公开答复", blank=True, help_text="隐去来信人个人信息后的答复内容。")
    published_at = models.DateTimeField("公开时间", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "来信"
        verbose_name_plural = "来信"
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["mailbox", "received_at"]),
            models.Index(fields=["lead_unit", "received_at"]),
            models.Index(fields=["published", "mailbox"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"], condition=~models.Q(external_id=""), name="letter_unique_external_id"
            )
        ]

    def __str__(self) -> str:
        return self.tracking_number

    @property
    def public_state(self) -> str:
        """What the writer and the public are told."""
        if self.screening == Screening.PENDING:
            return "待审查"
        if self.screening == Screening.REFUSED:
            return "不予受理"
        if self.finished_at is not None or self.dispatch_state == DispatchState.FINISHED:
            return "已办结"
        if self.released_at is not None:
            return "已答复"
        return "办理中"

    @property
    def attachment_list(self) -> list:
        return list(self.attachments.all())


class LetterAttachment(models.Model):
    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("附件", upload_to="mailbox/%Y/%m/")
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小")
    kind = models.CharField("类型", max_length=20)

    class Meta:
        verbose_name = "来信附件"
        verbose_name_plural = "来信附件"

    def __str__(self) -> str:
        return self.name
