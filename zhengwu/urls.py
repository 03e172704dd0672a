from django.conf import settings
from django.urls import include, path
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from zhengwu.core.humancheck import send_code_view

urlpatterns = [
    # Wagtail's workflow views with the rule that no review step is enabled without members (ahead of the admin).
    path("admin/workflows/", include("zhengwu.portal.review_admin")),
    # Wagtail's sites list with its column headings in Chinese (ahead of the admin).
    path("admin/sites/", include("zhengwu.core.admin.sites")),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("captcha/sms/", send_code_view, name="sms_code_send"),
    path("captcha/", include("captcha.urls")),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()

if getattr(settings, "ZHENGWU_SERVE_MEDIA", False):
    from django.urls import re_path

    from zhengwu.core.media import serve_media

    urlpatterns += [re_path(rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>.*)$", serve_media)]

urlpatterns += [
    path("search/", include("zhengwu.portal.search.urls")),
    path("open311/v2/", include("zhengwu.interaction.open311")),
    path("", include("zhengwu.portal.urls")),
    path("", include("zhengwu.disclosure.urls")),
    path("", include("zhengwu.govservice.urls")),
    path("", include("zhengwu.interaction.engagement_urls")),
    path("", include("zhengwu.interaction.urls")),
    path("", include("zhengwu.catalog.public_urls")),
    # Wagtail's front-end login would be a second, differently throttled way in: it leads to the one staff login.
    path("_util/login/", RedirectView.as_view(pattern_name="wagtailadmin_login", query_string=True)),
    path("", include(wagtail_urls)),
]

# Error pages in the site's look, in Chinese (used when DEBUG is off).
handler400 = "zhengwu.portal.views.bad_request"
handler404 = "zhengwu.portal.views.page_not_found"
handler500 = "zhengwu.portal.views.server_error"
