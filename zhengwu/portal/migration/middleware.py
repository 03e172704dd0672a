"""Count the uses of the redirects a site import created (Wagtail's redirect middleware answers them; this one,
placed just outside it, sees its 301 and adds one to the imported page's count)."""

from __future__ import annotations

from django.db.models import F
from django.utils import timezone
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Site


class ImportedRedirectHitMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code in (301, 302) and request.method in ("GET", "HEAD"):
            self.count(request)
        return response

    @staticmethod
    def count(request) -> None:
        from ..models import ImportedPage

        full = Redirect.normalise_path(request.get_full_path())
        bare = Redirect.normalise_path(request.path)
        site = Site.find_for_request(request)
        if site is None:
            return
        ImportedPage.objects.filter(site=site, redirect__old_path__in={full, bare}).update(
            hits=F("hits") + 1, last_hit_at=timezone.now()
        )
