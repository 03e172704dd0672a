from django.db import models


class PageVisitDay(models.Model):
    """访问统计: page views of one page on one day, counted by our own beacon (no third-party tracker).

    ``site`` and ``path`` are copied from the page so that a site's or a column's totals are one indexed query
    (``path`` is the page's tree path: a column's pages share its prefix).
    """

    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey("wagtailcore.Site", null=True, on_delete=models.SET_NULL, related_name="+")
    path = models.CharField(max_length=255, db_index=True)
    date = models.DateField(db_index=True)
    views = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "访问统计"
        verbose_name_plural = "访问统计"
        constraints = [models.UniqueConstraint(fields=["page", "date"], name="one_visit_row_per_page_day")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} 页面 {self.page_id}：{self.views} 次"
