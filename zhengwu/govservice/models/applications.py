"""网上申报: an application filed online under one version of an item, from receipt through 补正, 受理 or 不予受理,
the steps of the item's 办理流程, 特别程序 (行政许可法 Art. 45), 延期 (Art. 42), 决定 and 送达 (Art. 44) to 办结.

Once accepted, an application is also a :class:`~.cases.ServiceCase`, the row 电子监察 counts; its two limits
(承诺 and 法定) run on core case clocks. All writes go through :mod:`..services.applications`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from .cases import Decision


class ApplicationStatus(models.TextChoices):
    RECEIVED = "received", "待受理"
    CORRECTION = "correction", "待补正"
    PROCESSING = "processing", "办理中"
    SUSPENDED = "suspended", "特别程序"
    DECIDED = "decided", "待送达"
    FINISHED = "finished", "已办结"
    REJECTED = "rejected", "不予受理"


OPEN_STATUSES = (
    ApplicationStatus.RECEIVED,
    ApplicationStatus.CORRECTION,
    ApplicationStatus.PROCESSING,
    ApplicationStatus.SUSPENDED,
    ApplicationStatus.DECIDED,
)


class ApplicantKind(models.TextChoices):
    PERSON = "person", "自然人"
    LEGAL = "legal", "法人或其他组织"


class Application(models.Model):
    tracking_number = models.CharField("申报编号", max_length=32, unique=True)
    query_code_hash = models.CharField(max_length=64)
    item = models.ForeignKey(
        "govservice.ServiceItem", verbose_name="事项", on_delete=models.PROTECT, related_name="applications"
    )
    version = models.ForeignKey(
        "govservice.ItemVersion",
        verbose_name="事项版本",
        on_delete=models.PROTECT,
        related_name="applications",
    )
    organization = models.ForeignKey(
        "core.Organization",
        verbose_name="实施机关",
        on_delete=models.PROTECT,
        related_name="service_applications",
    )
    status = models.CharField(
        "状态",
        max_length=12,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.RECEIVED,
        db_index=True,
    )
    applicant_kind = models.CharField("申请人类型", max_length=10, choices=ApplicantKind.choices)
    applicant_name = models.CharField("申请人", max_length=100)
    applicant_id_number = models.CharField("证件号码", max_length=32)
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=20)
    email = models.EmailField("电子邮箱", blank=True)
    form_data = models.JSONField("申请表内容", default=dict, blank=True)
    received_at = models.DateTimeField("收件时间")
    notice_due_on = models.DateField("补正告知期限")
    correction_items = models.JSONField("补正材料", default=list, blank=True)
    correction_note = models.TextField("补正说明", blank=True)
    correction_requested_at = models.DateTimeField("补正告知时间", null=True, blank=True)
    corrected_at = models.DateTimeField("补正收件时间", null=True, blank=True)
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    accepted_on_receipt = models.BooleanField(
        "逾期未告知视为受理", default=False, help_text="五日内未一次告知补正，自收到申请材料之日起即为受理。"
    )
    rejection_reason = models.TextField("不予受理理由", blank=True)
    current_step = models.ForeignKey(
        "govservice.ProcessStep",
        verbose_name="当前环节",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    step_started_at = models.DateTimeField("本环节开始时间", null=True, blank=True)
    decision = models.CharField("决定", max_length=10, choices=Decision.choices, blank=True)
    decision_reason = models.TextField("决定理由", blank=True)
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    delivery_method = models.CharField("送达方式", max_length=40, blank=True)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)
    finished_at = models.DateTimeField("办结时间", null=True, blank=True)
    extended = models.BooleanField("已延期", default=False)
    alert_level = models.CharField(
        "电子监察提示",
        max_length=10,
        blank=True,
        choices=[("warning", "预警"), ("yellow", "黄牌"), ("red", "红牌")],
        help_text="已发出的最高一级提示；同一级不重复发出。",
    )
    promised_clock = models.ForeignKey(
        "core.CaseClock", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    legal_clock = models.ForeignKey(
        "core.CaseClock", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    delivery_clock = models.ForeignKey(
        "core.CaseClock", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    case = models.OneToOneField(
        "govservice.ServiceCase", null=True, blank=True, on_delete=models.SET_NULL, related_name="application"
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "网上申报"
        verbose_name_plural = "网上申报"
        ordering = ["-received_at", "-pk"]
        permissions = [
            ("handle_application", "受理和办理网上申报"),
            ("approve_extension", "批准延长审批期限"),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_number} {self.version.name if self.version_id else ''}".strip()


class ApplicationFile(models.Model):
    """A file handed in for one material of the item (the first submission or a 补正)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="files")
    material = models.ForeignKey(
        "govservice.Material",
        verbose_name="材料",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    material_name = models.CharField("材料名称", max_length=200)
    file = models.FileField("文件", upload_to="govservice/applications/%Y/%m/")
    display_name = models.CharField("文件名称", max_length=200)
    kind = models.CharField("类型", max_length=10)
    size = models.PositiveIntegerField("大小（字节）")
    round = models.PositiveSmallIntegerField("提交批次", default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "申报材料"
        verbose_name_plural = "申报材料"
        ordering = ["application", "round", "pk"]

    def __str__(self) -> str:
        return f"{self.material_name}：{self.display_name}"


class ApplicationEvent(models.Model):
    """One step of the application's history, as the applicant and the staff see it."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("环节", max_length=30)
    label = models.CharField("名称", max_length=60)
    note = models.TextField("说明", blank=True)
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    public = models.BooleanField("申请人可见", default=True)

    class Meta:
        verbose_name = "办理记录"
        verbose_name_plural = "办理记录"
        ordering = ["application", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.label} {self.at:%Y-%m-%d %H:%M}"
