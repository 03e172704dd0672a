"""Public sections other apps serve as views on the portal (互动交流 of ``interaction``, …), in the portal's look.

An app registers a section once, in its ``AppConfig.ready``: its entrance and the pages below it then appear in the
header navigation, the 网站地图 and sitemap.xml of the sites that show it, and a column of the section's 栏目类型 on
such a site leads to them. The portal knows nothing else about the app.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class SectionLink:
    title: str
    url_name: str

    @property
    def url(self) -> str:
        return reverse(self.url_name)


@dataclass(frozen=True)
class PublicSection:
    name: str  # the entrance's text: 互动交流
    prefixes: tuple[str, ...]  # the paths its pages are served under: ("/hudong/", "/xinxiang/")
    entrance: str  # URL name of its index page
    description: str  # ColumnDescription of its pages
    column_kind: str  # 栏目类型 (ColumnKind value): a menu column of this kind leads to the section
    links: tuple[SectionLink, ...] = ()
    default_site_only: bool = True

    @property
    def url(self) -> str:
        return reverse(self.entrance)

    def shown_on(self, site) -> bool:
        return site is not None and (site.is_default_site or not self.default_site_only)


_sections: dict[str, PublicSection] = {}


def register_public_section(section: PublicSection) -> None:
    """Register (or replace, by entrance) a section; called from an app's ``ready``."""
    _sections[section.entrance] = section


def public_sections(site=None) -> list[PublicSection]:
    """The registered sections, those a site shows when a site is given."""
    sections = list(_sections.values())
    return sections if site is None else [s for s in sections if s.shown_on(site)]


def section_for_path(path: str) -> PublicSection | None:
    return next((s for s in _sections.values() if any(path.startswith(p) for p in s.prefixes)), None)
