"""sitemap.xml of the site the request is for, with addresses as the visitor reached the site."""

from __future__ import annotations

from wagtail.contrib.sitemaps import Sitemap

from .links import absolute_page_url


class PortalSitemap(Sitemap):
    def _urls(self, page, protocol, domain):
        urls = []
        last_mods = set()
        for item in self.paginator.page(page).object_list.iterator():
            for info in item.get_sitemap_urls(self.request):
                info = {**info, "location": absolute_page_url(item, self.request)}
                urls.append(info)
                last_mods.add(info.get("lastmod"))
        if last_mods and None not in last_mods:
            self.latest_lastmod = max(last_mods)
        return urls


# 政府信息公开 is served by views on the county portal (the default site): its entry pages are listed too.
DISCLOSURE_URL_NAMES = ("disclosure_index", "disclosure_apply", "disclosure_standard_index")


class DisclosureSitemap(Sitemap):
    def items(self):
        site = self.get_wagtail_site()
        return list(DISCLOSURE_URL_NAMES) if site is not None and site.is_default_site else []

    def _urls(self, page, protocol, domain):
        from django.urls import reverse

        return [
            {"item": name, "location": self.request.build_absolute_uri(reverse(name)), "lastmod": None}
            for name in self.paginator.page(page).object_list
        ]


class SectionSitemap(Sitemap):
    """The entrances and main pages of the public sections other apps register (互动交流, …)."""

    def items(self):
        from .sections import public_sections

        site = self.get_wagtail_site()
        if site is None:
            return []
        urls = []
        for section in public_sections(site):
            urls += [section.url] + [link.url for link in section.links if link.url not in urls]
        return list(dict.fromkeys(urls))

    def _urls(self, page, protocol, domain):
        return [
            {"item": url, "location": self.request.build_absolute_uri(url), "lastmod": None}
            for url in self.paginator.page(page).object_list
        ]
