"""主题分类, 体裁分类 and 标准目录 areas: editable data in the settings menu (loaded from ``rules/``; counties may
rename, reorder, add or deactivate; classes in use cannot be deleted)."""

from __future__ import annotations

from django.db import transaction
from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import CreateView, EditView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from zhengwu.core.admin.columns import yes_no_column

from ..models import Genre, StandardCatalogArea, Theme
from ..services.rules import record_classification_change


class AuditedCreateView(CreateView):
    def save_instance(self):
        with transaction.atomic():
            instance = super().save_instance()
            record_classification_change(instance=instance, created=True, actor=self.request.user)
        return instance


class AuditedEditView(EditView):
    def save_instance(self):
        with transaction.atomic():
            instance = super().save_instance()
            record_classification_change(instance=instance, created=False, actor=self.request.user)
        return instance


class ClassificationViewSet(ModelViewSet):
    add_view_class = AuditedCreateView
    edit_view_class = AuditedEditView
    copy_view_enabled = False
    inspect_view_enabled = False


class ThemeViewSet(ClassificationViewSet):
    model = Theme
    icon = "tag"
    menu_label = "主题分类"
    form_fields = ["code", "name", "parent", "sort_order", "is_active"]
    list_display = [
        "code",
        Column("path_label", label="分类路径"),
        yes_no_column(Theme, "is_active"),
    ]
    list_filter = ["is_active"]
    search_fields = ["name", "code"]


class GenreViewSet(ClassificationViewSet):
    model = Genre
    icon = "tag"
    menu_label = "体裁分类"
    form_fields = ["code", "name", "sort_order", "is_active"]
    list_display = ["code", "name", yes_no_column(Genre, "is_active")]


class AreaViewSet(ClassificationViewSet):
    model = StandardCatalogArea
    icon = "table"
    menu_label = "标准目录领域"
    form_fields = ["code", "name", "sort_order"]
    list_display = ["code", "name", "sort_order"]


class DisclosureSettingsGroup(ViewSetGroup):
    menu_label = "政府信息公开分类"
    menu_icon = "tag"
    menu_order = 650
    add_to_settings_menu = True
    items = (
        ThemeViewSet("disclosure_theme"),
        GenreViewSet("disclosure_genre"),
        AreaViewSet("disclosure_area"),
    )


@hooks.register("register_admin_viewset")
def register_classification_viewsets():
    return DisclosureSettingsGroup()
