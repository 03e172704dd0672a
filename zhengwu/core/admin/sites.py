"""Wagtail's sites list (设置 → 网站) with its column headings in Chinese. Wagtail names three of its columns after
the attribute (``Port``, ``Site name``, ``Root page``) instead of the model fields' translated names; these are the
same views with the fields' names. ``zhengwu/urls.py`` mounts them ahead of the admin's."""

from __future__ import annotations

from django.urls import path
from django.utils.text import capfirst
from django.views.decorators.cache import never_cache
from wagtail.admin.auth import require_admin_access
from wagtail.admin.ui.tables import Column
from wagtail.models import Site
from wagtail.sites import views as wagtail_sites


def _field_label(name: str) -> str:
    return capfirst(Site._meta.get_field(name).verbose_name)


class SiteIndexView(wagtail_sites.IndexView):
    columns = [
        column
        if column.name not in {"port", "site_name", "root_page"}
        else Column(column.name, label=_field_label(column.name), sort_key=column.sort_key)
        for column in wagtail_sites.IndexView.columns
    ]


class SiteViewSet(wagtail_sites.SiteViewSet):
    index_view_class = SiteIndexView


# The same name and prefix as Wagtail's own, so that its links (wagtailsites:edit, …) and these views agree.
_viewset = SiteViewSet("wagtailsites", url_prefix="sites")

urlpatterns = [
    path("", never_cache(require_admin_access(_viewset.index_view))),
    path("results/", never_cache(require_admin_access(_viewset.index_results_view))),
]
