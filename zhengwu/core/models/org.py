from django.db import models

from ..validators import validate_credit_code, validate_division_code, validate_org_code


class OrganizationKind(models.TextChoices):
    GOVERNMENT = "government", "人民政府"
    DEPARTMENT = "department", "部门"
    TOWNSHIP = "township", "乡镇"
    SUBDISTRICT = "subdistrict", "街道"
    INSTITUTION = "institution", "事业单位"


class Organization(models.Model):
    """A node of the 机构 tree (one root: the county government).

    ``path`` is a materialized path of zero-padded ids ("000001/000007/") and ``depth`` the number of ancestors.
    Both are maintained by :mod:`zhengwu.core.services.orgs` only, so that an org subtree is one indexed prefix
    query (``path__startswith``). Organizations are deactivated, never deleted: cases and the audit log refer to
    them for years.
    """

    name = models.CharField("名称", max_length=100)
    short_name = models.CharField("简称", max_length=40, blank=True)
    kind = models.CharField("类型", max_length=20, choices=OrganizationKind.choices)
    code = models.CharField(
        "编码",
        max_length=12,
        unique=True,
        validators=[validate_org_code],
        help_text="用于受理编号、索引号等编号的简短编码，2–12 位大写字母或数字，如 FGW。",
    )
    credit_code = models.CharField(
        "统一社会信用代码",
        max_length=18,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_credit_code],
        help_text="18 位，最后一位为校验码。",
    )
    division_code = models.CharField(
        "行政区划代码",
        max_length=12,
        blank=True,
        validators=[validate_division_code],
        help_text="县级 6 位；乡镇、街道 12 位。",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="上级机构",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    sort_order = models.PositiveIntegerField("排序", default=0, help_text="同级机构按此数字从小到大排列。")
    address = models.CharField("办公地址", max_length=200, blank=True)
    phone = models.CharField("联系电话", max_length=40, blank=True)
    is_active = models.BooleanField("启用", default=True)
    # Set by 机构改革 when the organization is merged away or split up; it stays in the tree, inactive, for history.
    ceased_on = models.DateField("撤销日期", null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "机构"
        verbose_name_plural = "机构"
        ordering = ["path"]
        permissions = [
            ("access_all_organizations", "可访问全县所有机构的数据"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_root(self) -> bool:
        return self.parent_id is None

    def ancestor_ids(self) -> list[int]:
        """Ids of the ancestors, root first, read from ``path`` without a query."""
        return [int(part) for part in self.path.split("/")[:-2] if part]

    def is_descendant_of(self, other: "Organization", *, include_self: bool = True) -> bool:
        if not self.path or not other.path:
            return False
        if self.path == other.path:
            return include_self
        return self.path.startswith(other.path)
