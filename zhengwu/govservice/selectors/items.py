"""Reads of the 事项清单 for the 办事服务 section: items in use, by department, by theme and by search."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from zhengwu.core.models import Organization

from ..models import ServiceItem


def published_items(*, within: Organization | None = None) -> QuerySet[ServiceItem]:
    """Items in use with a version, optionally limited to an organization's subtree (a department's site)."""
    items = ServiceItem.objects.filter(is_active=True, current_version__isnull=False).select_related(
        "current_version", "organization"
    )
    if within is not None:
        items = items.filter(organization__path__startswith=within.path)
    return items.order_by("organization__path", "sort_order", "code")


def departments_with_items(*, within: Organization | None = None) -> QuerySet[Organization]:
    orgs = Organization.objects.filter(is_active=True)
    if within is not None:
        orgs = orgs.filter(path__startswith=within.path)
    return (
        orgs.annotate(
            item_count=Count(
                "service_items",
                filter=Q(service_items__is_active=True, service_items__current_version__isnull=False),
            )
        )
        .filter(item_count__gt=0)
        .order_by("path")
    )


def items_for_theme(
    *, audience: str, life_event: str = "", within: Organization | None = None
) -> list[ServiceItem]:
    """Items for 个人/法人 and, optionally, one life event. Filtered in Python: a county lists a few thousand items
    at most, and JSON containment is not portable to SQLite."""
    return [
        item
        for item in published_items(within=within)
        if audience in item.current_version.audiences
        and (not life_event or life_event in item.current_version.life_events)
    ]


def search_items(*, query: str, within: Organization | None = None) -> QuerySet[ServiceItem]:
    words = query.split()[:5]
    items = published_items(within=within)
    for word in words:
        items = items.filter(
            Q(current_version__name__icontains=word)
            | Q(code__iexact=word)
            | Q(organization__name__icontains=word)
            | Q(current_version__conditions__icontains=word)
        )
    return items if words else items.none()
