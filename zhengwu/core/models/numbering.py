from django.db import models


class NumberSequence(models.Model):
    """The last number issued for one prefix in one period; incremented under a row lock."""

    prefix = models.CharField(max_length=20)
    period = models.CharField(max_length=10)
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "编号序列"
        verbose_name_plural = "编号序列"
        constraints = [models.UniqueConstraint(fields=["prefix", "period"], name="unique_number_sequence")]

    def __str__(self) -> str:
        return f"{self.prefix}{self.period}：{self.last_value}"
