"""Figures of site imports and reorganizations: pages imported, redirects active and used, pages an editor must date,
and items that still point at a vanished organization."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, Sum
from wagtail.models import Site

from zhengwu.core.scoping import has_county_wide_access, scope_queryset

from ..models import ImportedAsset, ImportedPage

# The organization of a target site: that of its home page.
SITE_ORG = "site__root_page__homepage__organization"

FIGURE_KEYS = (
    "pages_imported",
    "columns_imported",
    "attachments_imported",
    "pages_undated",
    "pages_deleted_since",
    "redirects_active",
    "redirects_to_unpublished",
    "redirects_hit",
    "redirect_hits",
)


def import_figures(*, site: Site | None = None, user: Any = None) -> list[dict[str, Any]]:
    """One row per target site that received an import (only the sites of ``user``'s organizations, when given)."""
    records = ImportedPage.objects.all()
    if site is not None:
        records = records.filter(site=site)
    if user is not None:
        records = scope_queryset(records, user, SITE_ORG)
    rows = (
        records.values("site_id", "site__hostname", "site__port")
        .annotate(
            pages=Count("id", filter=Q(page__isnull=False) & ~Q(kind="column")),
            columns=Count("page", filter=Q(kind="column"), distinct=True),
            lost=Count("id", filter=Q(page__isnull=True)),
            undated=Count("id", filter=Q(published__isnull=True, page__isnull=False) & ~Q(kind="column")),
            redirects=Count("id", filter=Q(redirect__isnull=False, redirect__redirect_page__isnull=False)),
            redirects_live=Count("id", filter=Q(redirect__isnull=False, redirect__redirect_page__live=True)),
            redirects_hit=Count("id", filter=Q(hits__gt=0)),
            hits=Sum("hits"),
        )
        .order_by("site__hostname", "site__port")
    )
    assets = dict(
        ImportedAsset.objects.values_list("site_id").annotate(n=Count("id")).values_list("site_id", "n")
    )
    return [
        {
            "site": row["site__hostname"] + (f":{row['site__port']}" if row["site__port"] != 80 else ""),
            "pages_imported": row["pages"],
            "columns_imported": row["columns"],
            "attachments_imported": assets.get(row["site_id"], 0),
            "pages_undated": row["undated"],
            "pages_deleted_since": row["lost"],
            "redirects_active": row["redirects_live"],
            "redirects_to_unpublished": row["redirects"] - row["redirects_live"],
            "redirects_hit": row["redirects_hit"],
            "redirect_hits": row["hits"] or 0,
        }
        for row in rows
    ]


def migration_figures(*, site: Site | None = None, user: Any = None) -> dict[str, Any]:
    """Everything ``zhengwu portal migration-figures`` reports: per imported site and in total, the redirects of old
    hosts (机构改革 site merges), and the items still pointing at a vanished organization. Old hosts and vanished
    organizations are county-wide figures: shown to county-wide staff (and on the console) only."""
    from zhengwu.core.selectors.reorg import redirect_figures, vanished_references

    rows = import_figures(site=site, user=user)
    result: dict[str, Any] = {
        "imports": rows,
        "totals": {key: sum(row[key] for row in rows) for key in FIGURE_KEYS},
    }
    if user is None or has_county_wide_access(user):
        left = vanished_references()
        result["host_redirects"] = redirect_figures()
        result["vanished"] = {
            "total": sum(row.count for row in left),
            "left_behind": [r.as_json() for r in left],
        }
    return result
