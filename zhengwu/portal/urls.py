from django.urls import path
from wagtail.contrib.sitemaps.views import sitemap

from .api import api
from .feeds import ColumnFeed
from .sitemaps import DisclosureSitemap, PortalSitemap, SectionSitemap
from .views import error_report, error_report_lookup, favicon, robots_txt, site_map, visit_beacon

urlpatterns = [
    path("rss/<int:column_id>/", ColumnFeed(), name="portal_column_feed"),
    path(
        "sitemap.xml",
        sitemap,
        {"sitemaps": {"pages": PortalSitemap, "xxgk": DisclosureSitemap, "sections": SectionSitemap}},
        name="portal_sitemap",
    ),
    path("api/v1/", api.urls),
    path("_hit/", visit_beacon, name="portal_visit_beacon"),
    path("jiucuo/", error_report, name="portal_error_report"),
    path("jiucuo/cx/", error_report_lookup, name="portal_error_report_lookup"),
    path("wzdt/", site_map, name="portal_site_map"),
    path("robots.txt", robots_txt, name="portal_robots"),
    path("favicon.ico", favicon, name="portal_favicon"),
]
