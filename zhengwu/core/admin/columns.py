"""Listing columns for the admin's model viewsets."""

from __future__ import annotations

from django.db import models
from django.utils.text import capfirst
from wagtail.admin.ui.tables import BooleanColumn


def yes_no_column(model: type[models.Model], field_name: str) -> BooleanColumn:
    """A yes/no field as a tick or cross (read as 是/否), headed by the field's name and sortable by it.

    A field named in ``list_display`` as a string is printed as ``True``/``False``."""
    field = model._meta.get_field(field_name)
    return BooleanColumn(field_name, label=capfirst(field.verbose_name), sort_key=field_name)
