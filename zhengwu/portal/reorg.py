"""What 机构改革 moves in the portal: the sites of a ceased organization.

A site goes to its successor. When the successor has no site yet, the site itself is handed over (same host, its
home page now run by the successor). When it has one, the old site is merged into it: the old home page and every
page below it move under the successor's home page as one section (``/<code>/``), the old Wagtail Site is removed,
and the old host answers 301 to the same page at its new address (:class:`~zhengwu.core.models.HostRedirect`)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.text import slugify
from wagtail.models import Page, Site

from zhengwu.core.models import HostRedirect, Organization
from zhengwu.core.redirects import invalidate_host_redirects
from zhengwu.core.reorg import Movable, TransferContext, register_reference_rule, register_succession_part

from .models import HomePage


def sites_of(org: Organization) -> list[Site]:
    homes = HomePage.objects.filter(organization=org).values_list("pk", flat=True)
    return list(Site.objects.filter(root_page_id__in=list(homes)).order_by("pk"))


def _collect_sites(org: Organization) -> list[Movable]:
    return [
        Movable(f"site:{site.pk}", site.site_name or site.hostname, f"{site.hostname}:{site.port}")
        for site in sites_of(org)
    ]


def _section_slug(home: Page, target_home: Page, predecessor: Organization) -> str:
    base = slugify(predecessor.code.lower()) or f"site-{home.pk}"
    taken = set(target_home.get_children().values_list("slug", flat=True))
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


def _set_revision_fields(page: Page, **values: Any) -> None:
    """Keep the latest revision in step, so that the next publication by an editor does not undo the change."""
    revision = page.latest_revision
    if revision is not None and isinstance(revision.content, dict):
        revision.content.update(values)
        revision.save(update_fields=["content"])


def _transfer_sites(
    predecessor: Organization, moves: list[tuple[Movable, Any]], context: TransferContext
) -> None:
    moved = context.notes.setdefault("sites", [])
    for movable, successor in moves:
        site = Site.objects.select_related("root_page").get(pk=int(movable.key.rsplit(":", 1)[1]))
        home = site.root_page.specific
        targets = sites_of(successor)
        if not targets:
            # Handed over: same host, same pages, now the successor's site.
            HomePage.objects.filter(pk=home.pk).update(organization=successor)
            _set_revision_fields(home, organization=successor.pk)
            site.site_name = successor.name
            site.save(update_fields=["site_name"])
            moved.append({"site": site.hostname, "to": site.hostname, "mode": "handed_over"})
            continue
        target = targets[0]
        target_home = target.root_page
        slug = _section_slug(home, target_home, predecessor)
        HomePage.objects.filter(pk=home.pk).update(slug=slug, organization=successor)
        _set_revision_fields(home, slug=slug, organization=successor.pk)
        Page.objects.get(pk=home.pk).move(target_home, pos="last-child")
        prefix = f"/{slug}/"
        # Hosts that already pointed at the old site now point at the merged section.
        for earlier in HostRedirect.objects.filter(target_site=site):
            earlier.target_site = target
            earlier.path_prefix = prefix.rstrip("/") + earlier.path_prefix
            earlier.save(update_fields=["target_site", "path_prefix"])
        old_hostname = site.hostname
        site.delete()
        HostRedirect.objects.update_or_create(
            old_hostname=old_hostname,
            defaults={"target_site": target, "path_prefix": prefix, "reorganization": context.reorganization},
        )
        moved.append({"site": old_hostname, "to": f"{target.hostname}{prefix}", "mode": "merged"})
    invalidate_host_redirects()


def register() -> None:
    register_succession_part(
        code="sites", label="网站", order=60, collect=_collect_sites, transfer=_transfer_sites
    )
    register_reference_rule("portal.homepage", "organization", Q(live=True))
