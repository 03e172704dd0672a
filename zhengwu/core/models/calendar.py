from django.conf import settings
from django.db import models


class DayKind(models.TextChoices):
    WORKDAY = "workday", "工作日"
    WEEKEND = "weekend", "休息日"
    HOLIDAY = "holiday", "法定节假日"
    MAKEUP_WORKDAY = "makeup", "调休工作日"


class CalendarOrigin(models.TextChoices):
    PACKAGE = "package", "chinese-calendar 数据包"
    IMPORT = "import", "管理员导入"
    EDITED = "edited", "管理员修改"


class CalendarYear(models.Model):
    """A year whose schedule is known (imported), with the document it comes from.

    Only the days of a known year are authoritative; dates of other years fall back to Monday–Friday and every
    answer that used such a date says so.
    """

    year = models.PositiveSmallIntegerField("年份", unique=True)
    source = models.CharField(
        "依据", max_length=300, help_text="国务院办公厅发布该年度节假日安排的通知名称。"
    )
    origin = models.CharField(
        "来源", max_length=10, choices=CalendarOrigin.choices, default=CalendarOrigin.IMPORT
    )
    imported_at = models.DateTimeField("更新时间", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="更新人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "工作日历年度"
        verbose_name_plural = "工作日历年度"
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}年"


class CalendarDay(models.Model):
    """Every day of a known year, so that the table alone answers whether a date is a working day."""

    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=10, choices=DayKind.choices)
    name = models.CharField("节日名称", max_length=40, blank=True)

    class Meta:
        verbose_name = "工作日历"
        verbose_name_plural = "工作日历"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}"

    @property
    def is_workday(self) -> bool:
        return self.kind in (DayKind.WORKDAY, DayKind.MAKEUP_WORKDAY)


class CalendarRevision(models.Model):
    """One row whose token changes with every change of the calendar.

    Each process keeps the calendar in memory and compares this token (one primary-key read) before using it, so a
    change committed by another worker is seen at once. A random token rather than a counter: a rolled-back change
    must never leave a process believing it holds the current calendar.
    """

    token = models.CharField(max_length=32)
    changed_at = models.DateTimeField()

    class Meta:
        verbose_name = "工作日历版本"
        verbose_name_plural = "工作日历版本"

    def __str__(self) -> str:
        return f"工作日历版本 {self.token[:8]}（{self.changed_at:%Y-%m-%d %H:%M}）"
