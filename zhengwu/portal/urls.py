from django.urls import path
from wagtail.contrib.sitemaps.views import sitemap

from .api import api
from .feeds import ColumnFeed
from .views import error_report, site_map, visit_beacon

urlpatterns = [
    path("rss/<int:column_id>/", ColumnFeed(), name="portal_column_feed"),
    path("sitemap.xml", sitemap, name="portal_sitemap"),
    path("api/v1/", api.urls),
    path("_hit/", visit_beacon, name="portal_visit_beacon"),
    path("jiucuo/", error_report, name="portal_error_report"),
    path("wzdt/", site_map, name="portal_site_map"),
]
