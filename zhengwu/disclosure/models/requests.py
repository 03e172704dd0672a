"""依申请公开: requests, their timeline, consultations, fee notices and 告知书."""

from django.conf import settings
from django.db import models

from ..rules import (
    applicant_kind_choices,
    channel_choices,
    id_type_choices,
    outcome_choices,
    simple_choices,
)


class RequestState(models.TextChoices):
    SUBMITTED = "submitted", "待确认收到"
    PROCESSING = "processing", "办理中"
    CORRECTION = "correction", "待补正"
    CONSULTATION = "consultation", "征求意见中"
    AWAITING_FEE = "awaiting_fee", "待缴费"
    REPLIED = "replied", "已答复"


OPEN_STATES = (
    RequestState.PROCESSING,
    RequestState.CORRECTION,
    RequestState.CONSULTATION,
    RequestState.AWAITING_FEE,
)


class RequestOrigin(models.TextChoices):
    ONLINE = "online", "网上提交"
    STAFF = "staff", "工作人员登记"
    IMPORT = "import", "历史数据导入"


class DisclosureRequest(models.Model):
    """A 政府信息公开申请 and where it stands on the legal clock."""

    organization = models.ForeignKey(
        "core.Organization",
        verbose_name="受理机关",
        on_delete=models.PROTECT,
        related_name="disclosure_requests",
    )
    handling_office = models.ForeignKey(
        "core.Organization",
        verbose_name="办理机构",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handled_disclosure_requests",
        help_text="提交时按依申请公开办理机构确定；其工作人员看到并办理该申请。",
    )
    tracking_number = models.CharField("受理编号", max_length=30, unique=True)
    query_code_hash = models.CharField(max_length=64, blank=True, editable=False)
    external_id = models.CharField(
        "原系统编号", max_length=64, blank=True, help_text="从原有系统导入的申请在原系统中的编号。"
    )
    origin = models.CharField("来源", max_length=10, choices=RequestOrigin.choices)
    channel = models.CharField("提交方式", max_length=20, choices=channel_choices())
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    received_on = models.DateField("收到申请日期", null=True, blank=True)
    receipt_basis = models.CharField("收到日期依据", max_length=300, blank=True)

    applicant_kind = models.CharField("申请人类型", max_length=20, choices=applicant_kind_choices())
    applicant_name = models.CharField("申请人名称", max_length=100, blank=True)
    id_type = models.CharField("证件类型", max_length=30, choices=id_type_choices(), blank=True)
    id_number = models.CharField("证件号码", max_length=40, blank=True)
    legal_representative = models.CharField("法定代表人或负责人", max_length=40, blank=True)
    contact_name = models.CharField("联系人", max_length=40, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    email = models.EmailField("电子邮箱", blank=True)
    address = models.CharField("通信地址", max_length=200, blank=True)
    postal_code = models.CharField("邮政编码", max_length=10, blank=True)

    description = models.TextField("所需政府信息的名称、文号或者便于查询的其他特征性描述", blank=True)
    document_hint = models.CharField("文件名称或文号", max_length=200, blank=True)
    wanted_form = models.CharField(
        "获取信息的方式", max_length=20, choices=simple_choices("requests", "wanted_forms"), blank=True
    )
    delivery = models.CharField(
        "信息的载体形式和提供方式",
        max_length=20,
        choices=simple_choices("requests", "deliveries"),
        blank=True,
    )

    state = models.CharField("办理状态", max_length=20, choices=RequestState.choices)
    reply_clock = models.OneToOneField(
        "core.CaseClock",
        verbose_name="答复时限",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disclosure_request",
    )
    correction_notice_due_on = models.DateField("补正告知截止日期", null=True, blank=True)
    correction_deadline = models.DateField("申请人补正期限", null=True, blank=True)
    # Copied from the clock after every change so that lists, exports and reports read one place.
    due_on = models.DateField("答复截止日期", null=True, blank=True)
    due_explanation = models.TextField("截止日期计算说明", blank=True)
    extended_days = models.PositiveSmallIntegerField("延期工作日数", default=0)

    replied_on = models.DateField("答复日期", null=True, blank=True)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    outcome = models.CharField("办理结果", max_length=40, choices=outcome_choices(), blank=True)
    reply_text = models.TextField("答复内容", blank=True)
    answered_on_time = models.BooleanField("按期答复", null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "依申请公开"
        verbose_name_plural = "依申请公开"
        ordering = ["-received_on", "-pk"]
        permissions = [
            ("approve_extension", "批准延期答复（政府信息公开工作机构负责人）"),
            ("view_applicant_data", "查看申请人完整证件号码和联系方式"),
        ]
        indexes = [
            models.Index(fields=["organization", "received_on"]),
            models.Index(fields=["organization", "replied_on"]),
            models.Index(fields=["state"]),
            models.Index(fields=["organization", "external_id"]),
            models.Index(fields=["handling_office", "state"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "external_id"],
                condition=~models.Q(external_id=""),
                name="disclosure_unique_external_id",
            ),
            models.CheckConstraint(
                condition=models.Q(replied_on__isnull=True) | ~models.Q(outcome=""),
                name="disclosure_reply_has_outcome",
                violation_error_message="答复必须有办理结果。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_number} {self.applicant_name}".strip()

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class EventKind(models.TextChoices):
    RECEIVED = "received", "收到申请"
    CORRECTION_REQUESTED = "correction_requested", "告知补正"
    CORRECTION_RECEIVED = "correction_received", "收到补正"
    CONSULTATION_STARTED = "consultation_started", "征求意见"
    CONSULTATION_ENDED = "consultation_ended", "征求意见结束"
    EXTENDED = "extended", "延期答复"
    FEE_NOTIFIED = "fee_notified", "收费通知"
    FEE_PAID = "fee_paid", "缴纳费用"
    REPLIED = "replied", "答复"


class RequestEvent(models.Model):
    """One step of a request's timeline; the same kinds as the history import's ``events``."""

    request = models.ForeignKey(DisclosureRequest, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("环节", max_length=30, choices=EventKind.choices)
    on = models.DateField("日期")
    days = models.PositiveSmallIntegerField("天数", null=True, blank=True)
    note = models.TextField("说明", blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "办理环节"
        verbose_name_plural = "办理环节"
        ordering = ["on", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.on}"


class Consultation(models.Model):
    """征求第三方（第三十二条）或其他行政机关（第三十四条）意见; the reply clock is paused meanwhile."""

    request = models.ForeignKey(DisclosureRequest, on_delete=models.CASCADE, related_name="consultations")
    kind = models.CharField(
        "类型", max_length=20, choices=[("third_party", "征求第三方意见"), ("agency", "征求其他行政机关意见")]
    )
    parties = models.CharField("征求意见对象", max_length=300)
    sent_on = models.DateField("发出日期")
    reply_due_on = models.DateField("答复期限")
    replied_on = models.DateField("结束日期", null=True, blank=True)
    opinion = models.TextField("意见", blank=True)
    clock = models.OneToOneField(
        "core.CaseClock",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disclosure_consultation",
    )

    class Meta:
        verbose_name = "征求意见"
        verbose_name_plural = "征求意见"
        ordering = ["sent_on", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.parties}"


class FeeMethod(models.TextChoices):
    PER_PIECE = "per_piece", "按件计收"
    PER_PAGE = "per_page", "按量计收"


class FeeNotice(models.Model):
    """收费通知 of 信息处理费 and its payment."""

    request = models.OneToOneField(DisclosureRequest, on_delete=models.CASCADE, related_name="fee_notice")
    method = models.CharField("计费方式", max_length=12, choices=FeeMethod.choices, blank=True)
    quantity = models.PositiveIntegerField("件数或页数", null=True, blank=True)
    amount = models.DecimalField("金额（元）", max_digits=10, decimal_places=2, null=True, blank=True)
    basis = models.TextField("计费依据", blank=True)
    notified_on = models.DateField("通知日期")
    payment_due_on = models.DateField("缴费期限")
    paid_on = models.DateField("缴费日期", null=True, blank=True)
    paid_amount = models.DecimalField(
        "实收金额（元）", max_digits=10, decimal_places=2, null=True, blank=True
    )
    clock = models.OneToOneField(
        "core.CaseClock",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disclosure_fee_notice",
    )

    class Meta:
        verbose_name = "收费通知"
        verbose_name_plural = "收费通知"

    def __str__(self) -> str:
        return f"收费通知 {self.amount or 0}元"


class LetterKind(models.TextChoices):
    CORRECTION = "correction", "补正告知书"
    EXTENSION = "extension", "延期答复告知书"
    FEE = "fee", "收费通知书"
    REPLY = "reply", "答复书"


class NoticeLetter(models.Model):
    """A 告知书 filled from the request, kept as .docx and PDF."""

    request = models.ForeignKey(DisclosureRequest, on_delete=models.CASCADE, related_name="letters")
    kind = models.CharField("文书类型", max_length=12, choices=LetterKind.choices)
    template = models.CharField("模板", max_length=20)
    title = models.CharField("标题", max_length=100)
    context = models.JSONField("填写内容", default=dict)
    docx = models.FileField("Word 文件", upload_to="disclosure/letters/%Y/", blank=True)
    pdf = models.FileField("PDF 文件", upload_to="disclosure/letters/%Y/", blank=True)
    rendered_at = models.DateTimeField("生成时间", null=True, blank=True)
    error = models.TextField("生成错误", blank=True)
    emailed_at = models.DateTimeField("邮件送达时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "告知书"
        verbose_name_plural = "告知书"
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.title
