"""公文: the documents an organization drafts and issues (发文), the copies other organizations receive (收文), the
发文字号 and 收文编号 sequences, and each organization's electronic seals.

《党政机关公文处理工作条例》 Art. 25 (发文: 复核 → 登记 → 印制 → 核发) and Art. 24 (收文: 签收 → 登记 → 初审 → 承办 →
传阅 → 催办 → 答复); the drafting steps before 复核 (起草 → 核稿 → 会签 → 签发) are the 拟制 of Chapter 5.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from zhengwu.core.models import Organization

from .services.document import KINDS

# The 15 文种 of 条例 第八条 (命令 and its short form 令 are one kind here).
KIND_CHOICES = [(k, k) for k in KINDS if k != "令"]


class SecretLevel(models.TextChoices):
    NONE = "", "非涉密"
    SECRET = "秘密", "秘密"
    CONFIDENTIAL = "机密", "机密"
    TOP_SECRET = "绝密", "绝密"


class Urgency(models.TextChoices):
    NORMAL = "", "普通"
    URGENT = "加急", "加急"
    EXTRA_URGENT = "特急", "特急"


class OutgoingStep(models.TextChoices):
    DRAFT = "draft", "起草"
    REVIEW = "review", "核稿"
    COUNTERSIGN = "countersign", "会签"
    SIGN = "sign", "签发"
    RECHECK = "recheck", "复核"
    REGISTER = "register", "登记"
    SEAL = "seal", "用印"
    DISTRIBUTE = "distribute", "核发"
    ISSUED = "issued", "已核发"


STEP_ORDER = [s.value for s in OutgoingStep]


class NumberSequence(models.Model):
    """The last serial issued under one code in one year: 发文字号 per 机关代字, 收文编号 per receiving office."""

    code = models.CharField("代字", max_length=40)
    year = models.PositiveSmallIntegerField("年份")
    last_serial = models.PositiveIntegerField("已用到的顺序号", default=0)

    class Meta:
        verbose_name = "公文编号序列"
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["code", "year"], name="oa_sequence_code_year")]

    def __str__(self) -> str:
        return f"{self.code}〔{self.year}〕 {self.last_serial}"


class IssuerProfile(models.Model):
    """How one organization issues documents: its 机关代字, its 发文机关标志 and its 收文 code."""

    organization = models.OneToOneField(
        Organization, verbose_name="机构", on_delete=models.CASCADE, related_name="oa_profile"
    )
    document_code = models.CharField(
        "机关代字", max_length=20, help_text="发文字号中的机关代字，如“示府办发”；只能由汉字或字母组成。"
    )
    mark_name = models.CharField(
        "发文机关标志", max_length=60, blank=True, help_text="留空时用机构全称；不含“文件”二字。"
    )
    incoming_code = models.CharField(
        "收文代字", max_length=20, blank=True, help_text="收文编号中的代字，留空时用机构简称。"
    )
    office = models.ForeignKey(
        Organization,
        verbose_name="办文机构",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="oa_offices_for",
        help_text="代本机关办理公文的办公室，如县人民政府的公文由县政府办公室办理；留空时由本机关自己办理。",
    )

    class Meta:
        verbose_name = "发文机关设置"
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"{self.organization.name}（{self.document_code}）"


class Seal(models.Model):
    """One electronic seal of an organization (印章登记): its image, its holder, its validity and its certificate.

    The private key is never here: signing goes through the configured signer (a provincial seal platform or a
    certified device; a software key only for development and tests)."""

    organization = models.ForeignKey(
        Organization, verbose_name="所属机构", on_delete=models.PROTECT, related_name="oa_seals"
    )
    name = models.CharField("印章名称", max_length=100)
    es_id = models.CharField("印章编码", max_length=40, unique=True)
    image = models.BinaryField("印模图像（PNG）", editable=False)
    width_mm = models.DecimalField("印模宽度（毫米）", max_digits=5, decimal_places=1, default=42)
    height_mm = models.DecimalField("印模高度（毫米）", max_digits=5, decimal_places=1, default=42)
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="保管人",
        on_delete=models.PROTECT,
        related_name="held_oa_seals",
    )
    valid_from = models.DateField("启用日期")
    valid_to = models.DateField("有效期至")
    is_active = models.BooleanField("在用", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "电子印章"
        verbose_name_plural = verbose_name
        ordering = ["organization__path", "name"]

    def __str__(self) -> str:
        return self.name


class OutgoingDocument(models.Model):
    """One document drafted by an organization, from 起草 to 核发."""

    organization = models.ForeignKey(
        Organization, verbose_name="主办机关", on_delete=models.PROTECT, related_name="oa_outgoing"
    )
    co_issuers = models.ManyToManyField(
        Organization, verbose_name="联合发文机关", blank=True, related_name="oa_joint_outgoing"
    )
    kind = models.CharField("文种", max_length=4, choices=KIND_CHOICES)
    form = models.CharField(
        "格式",
        max_length=4,
        choices=[("文件", "文件格式"), ("信函", "信函格式"), ("纪要", "纪要格式")],
        default="文件",
        help_text="GB/T 9704-2012：文件格式、信函格式（如函）、纪要格式。",
    )
    title = models.CharField("标题", max_length=200)
    body = models.JSONField("正文", default=list, help_text="段落和各级标题。")
    search_text = models.TextField(editable=False, default="")
    attendance = models.JSONField(
        "出席、请假、列席",
        default=dict,
        blank=True,
        help_text='纪要格式：{"出席": [...], "请假": [...], "列席": [...]}。',
    )
    attachments = models.JSONField("附件说明", default=list, blank=True)
    to_orgs = models.ManyToManyField(
        Organization, verbose_name="主送机关", blank=True, related_name="oa_addressed"
    )
    cc_orgs = models.ManyToManyField(
        Organization, verbose_name="抄送机关", blank=True, related_name="oa_copied"
    )
    to_outside = models.CharField("主送机关（平台外）", max_length=300, blank=True)
    cc_outside = models.CharField("抄送机关（平台外）", max_length=300, blank=True)
    secret_level = models.CharField(
        "密级", max_length=4, choices=SecretLevel.choices, default=SecretLevel.NONE, blank=True
    )
    secret_term = models.CharField("保密期限", max_length=20, blank=True)
    urgency = models.CharField("紧急程度", max_length=4, choices=Urgency.choices, default="", blank=True)
    note = models.CharField("附注", max_length=200, blank=True)
    printer = models.CharField("印发机关", max_length=100, blank=True)
    copies = models.PositiveIntegerField("印制份数", null=True, blank=True)
    step = models.CharField("环节", max_length=12, choices=OutgoingStep.choices, default=OutgoingStep.DRAFT)
    drafter = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="拟稿人", on_delete=models.PROTECT, related_name="+"
    )
    reviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="核稿人", blank=True, related_name="oa_reviewing"
    )
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="签发人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="oa_signing",
    )
    sign_opinion = models.CharField("签发意见", max_length=500, blank=True)
    signed_at = models.DateTimeField("签发时间", null=True, blank=True)
    circled = models.BooleanField("圈阅", default=False)
    document_date = models.DateField("成文日期", null=True, blank=True)
    number_code = models.CharField("机关代字", max_length=20, blank=True)
    number_year = models.PositiveSmallIntegerField("年份", null=True, blank=True)
    number_serial = models.PositiveIntegerField("顺序号", null=True, blank=True)
    seal = models.ForeignKey(Seal, verbose_name="印章", null=True, blank=True, on_delete=models.PROTECT)
    sealed_file = models.BinaryField("用印后的 OFD", null=True, editable=False)
    sealed_pdf = models.BinaryField("用印后的 PDF", null=True, editable=False)
    sealed_pdf_signature = models.BinaryField("PDF 的电子签章（.sig）", null=True, editable=False)
    sealed_at = models.DateTimeField("用印时间", null=True, blank=True)
    issued_at = models.DateTimeField("核发时间", null=True, blank=True)
    print_date = models.DateField("印发日期", null=True, blank=True)
    clock = models.ForeignKey(
        "core.CaseClock", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("起草时间", auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "发文"
        verbose_name_plural = verbose_name
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["number_code", "number_year", "number_serial"],
                condition=models.Q(number_serial__isnull=False),
                name="oa_outgoing_number_unique",
            )
        ]
        permissions = [
            ("draft_documents", "起草公文"),
            ("review_documents", "核稿"),
            ("sign_documents", "签发公文、批示收文"),
            ("handle_documents", "公文管理（复核、登记、用印、核发、收文签收登记和分办）"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def number(self) -> str:
        """发文字号 (机关代字〔年份〕顺序号号); a 纪要 is numbered by issue, per year (“2026年第3期”)."""
        if self.number_serial is None:
            return ""
        if self.form == "纪要":
            return f"{self.number_year}年第{self.number_serial}期"
        return f"{self.number_code}〔{self.number_year}〕{self.number_serial}号"

    @property
    def is_secret(self) -> bool:
        return bool(self.secret_level)


class OutgoingEvent(models.Model):
    """One thing done to a draft: who, at which step, what they decided and why (the 发文 办理过程)."""

    document = models.ForeignKey(OutgoingDocument, on_delete=models.CASCADE, related_name="events")
    step = models.CharField("环节", max_length=12, choices=OutgoingStep.choices)
    action = models.CharField("操作", max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(Organization, null=True, on_delete=models.PROTECT, related_name="+")
    opinion = models.TextField("意见", blank=True)
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "发文办理记录"
        verbose_name_plural = verbose_name
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_step_display()} {self.action}"


class Revision(models.Model):
    """The text of a draft as one person left it: 核稿 changes are kept, never overwritten."""

    document = models.ForeignKey(OutgoingDocument, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField("稿次")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    step = models.CharField("环节", max_length=12, choices=OutgoingStep.choices)
    title = models.CharField("标题", max_length=200)
    body = models.JSONField("正文", default=list)
    note = models.CharField("修改说明", max_length=300, blank=True)
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "稿件修改记录"
        verbose_name_plural = verbose_name
        ordering = ["document", "number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="oa_revision_number")]

    def __str__(self) -> str:
        return f"第{self.number}稿"


class Countersign(models.Model):
    """The 会签 of one joint issuer."""

    document = models.ForeignKey(OutgoingDocument, on_delete=models.CASCADE, related_name="countersigns")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    opinion = models.CharField("会签意见", max_length=500, blank=True)
    signed_at = models.DateTimeField("会签时间", null=True, blank=True)

    class Meta:
        verbose_name = "会签"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["document", "organization"], name="oa_countersign_once")
        ]

    def __str__(self) -> str:
        return f"{self.organization}会签"


class IncomingState(models.TextChoices):
    DELIVERED = "delivered", "待签收"
    RECEIVED = "received", "已签收"
    REGISTERED = "registered", "已登记"
    RETURNED = "returned", "已退回"
    PROPOSED = "proposed", "待批示"
    HANDLING = "handling", "承办中"
    DONE = "done", "已办结"
    ARCHIVED = "archived", "已归档"


class HandlingMode(models.TextChoices):
    READ = "read", "阅知"
    INSTRUCT = "instruct", "批办"


class IncomingDocument(models.Model):
    """One organization's copy of a document it receives (收文), from delivery to 归档.

    The sender sees this row as its receipt: who signed for it and when, and whether it was returned and why."""

    organization = models.ForeignKey(
        Organization, verbose_name="收文机关", on_delete=models.PROTECT, related_name="oa_incoming"
    )
    source = models.ForeignKey(
        OutgoingDocument,
        verbose_name="来文",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deliveries",
        help_text="平台上核发的来文；平台外来文（纸质或电子文件登记）为空。",
    )
    title = models.CharField("标题", max_length=200, default="")
    kind = models.CharField("文种", max_length=4, choices=KIND_CHOICES, blank=True)
    sender_name = models.CharField("来文机关", max_length=100, default="")
    source_number = models.CharField("来文字号", max_length=40, blank=True)
    secret_level = models.CharField(
        "密级", max_length=4, choices=SecretLevel.choices, default=SecretLevel.NONE, blank=True
    )
    urgency = models.CharField("紧急程度", max_length=4, choices=Urgency.choices, default="", blank=True)
    copy_number = models.CharField("份号", max_length=6, blank=True, help_text="涉密公文每份的编号（6 位）。")
    file = models.FileField("来文文件", upload_to="oa/incoming/%Y/%m/", blank=True, max_length=255)
    file_name = models.CharField("文件名", max_length=120, blank=True)
    copy_type = models.CharField(
        "行文方式", max_length=4, choices=[("to", "主送"), ("cc", "抄送"), ("ext", "平台外来文")]
    )
    state = models.CharField(
        "状态", max_length=12, choices=IncomingState.choices, default=IncomingState.DELIVERED
    )
    delivered_at = models.DateTimeField("送达时间")
    received_at = models.DateTimeField("签收时间", null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    number_code = models.CharField("收文代字", max_length=20, blank=True)
    number_year = models.PositiveSmallIntegerField(null=True, blank=True)
    number_serial = models.PositiveIntegerField("收文顺序号", null=True, blank=True)
    registered_at = models.DateTimeField("登记时间", null=True, blank=True)
    return_reason = models.CharField("退回理由", max_length=500, blank=True)
    mode = models.CharField("承办方式", max_length=10, choices=HandlingMode.choices, blank=True)
    proposal = models.TextField("拟办意见", blank=True)
    instructor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="批示人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    instruction = models.TextField("负责人批示", blank=True)
    instructed_at = models.DateTimeField(null=True, blank=True)
    lead_unit = models.ForeignKey(
        Organization,
        verbose_name="主办单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="oa_lead_incoming",
    )
    assist_units = models.ManyToManyField(
        Organization, verbose_name="协办单位", blank=True, related_name="oa_assist_incoming"
    )
    due_at = models.DateTimeField("办理时限", null=True, blank=True)
    clock = models.ForeignKey(
        "core.CaseClock", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    urge_count = models.PositiveIntegerField("催办次数", default=0)
    reply = models.TextField("答复", blank=True)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    done_at = models.DateTimeField("办结时间", null=True, blank=True)
    archived_at = models.DateTimeField("归档时间", null=True, blank=True)

    class Meta:
        verbose_name = "收文"
        verbose_name_plural = verbose_name
        ordering = ["-delivered_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["source", "organization"], name="oa_incoming_once"),
            models.UniqueConstraint(
                fields=["number_code", "number_year", "number_serial"],
                condition=models.Q(number_serial__isnull=False),
                name="oa_incoming_number_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization.name}：{self.title}"

    @property
    def number(self) -> str:
        if self.number_serial is None:
            return ""
        return f"{self.number_code}〔{self.number_year}〕{self.number_serial}号"


class Circulation(models.Model):
    """One person a received document was passed to (传阅): when it reached them and when they read it."""

    incoming = models.ForeignKey(IncomingDocument, on_delete=models.CASCADE, related_name="circulations")
    reader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="oa_reading")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField("送阅时间")
    read_at = models.DateTimeField("阅毕时间", null=True, blank=True)
    comment = models.CharField("阅文意见", max_length=500, blank=True)

    class Meta:
        verbose_name = "传阅"
        verbose_name_plural = verbose_name
        ordering = ["sent_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["incoming", "reader"], name="oa_circulation_once")]

    def __str__(self) -> str:
        return f"传阅：{self.reader}"


class IncomingEvent(models.Model):
    incoming = models.ForeignKey(IncomingDocument, on_delete=models.CASCADE, related_name="events")
    action = models.CharField("操作", max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    text = models.CharField("记录", max_length=500)
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "收文办理记录"
        verbose_name_plural = verbose_name
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.text
