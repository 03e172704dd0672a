"""The public search page of each site of the group: ``/search/?q=…`` (see :mod:`.params` for the rest)."""

from __future__ import annotations

import logging

from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from wagtail.models import Site

from zhengwu.core.ratelimit import client_ip

from . import registry, selectors, suggest
from .params import SORTS, parse_search_request
from .segment import stopwords
from .services import client_key, record_query

logger = logging.getLogger(__name__)
PAGE_WINDOW = 2  # page links shown on each side of the current page
# A correction is looked for only when the query found fewer matches than this (a typo rarely finds many).
SUGGEST_BELOW = 20


def _page_links(params, results) -> list[tuple[int | None, str]]:
    """(page number or None for a gap, URL) for the pagination bar."""
    numbers = sorted(
        {1, results.num_pages}
        | set(
            range(max(1, results.page - PAGE_WINDOW), min(results.num_pages, results.page + PAGE_WINDOW) + 1)
        )
    )
    links: list[tuple[int | None, str]] = []
    previous = 0
    for number in numbers:
        if number - previous > 1:
            links.append((None, ""))
        links.append((number, "?" + params.querystring(page=number)))
        previous = number
    return links


def search(request: HttpRequest) -> HttpResponse:
    site = Site.find_for_request(request)
    if site is None:
        raise Http404("网站不存在")
    params = parse_search_request(request.GET, current_site=site)
    results = None
    suggestion = None
    unavailable = False
    if params.query:
        try:
            results = selectors.search(
                query=params.query, filters=params.filters, sort=params.sort, page=params.page
            )
        except DatabaseError:
            # Queries are built from segmented words only, so this is a fault of the index, not of the input.
            logger.exception("site search failed for %r", params.query)
            unavailable = True
        else:
            if not results.terms:
                params.notes.append(
                    "搜索词中没有可以检索的文字（标点符号和空格不参与检索），请换一个搜索词。"
                )
            if skipped := [word for word in results.left_out if word not in stopwords()]:
                params.notes.append(
                    f"搜索词较长，已按其中的主要词语检索（未参与检索：{'、'.join(skipped)}）。"
                )
            if results.terms and results.page_clamped:
                params.notes.append(f"页码超出范围，已显示最后一页（第 {results.page} 页）。")
            if results.terms and params.page == 1 and results.total < SUGGEST_BELOW:
                suggestion = suggest.suggestion(
                    query=params.query, found=results.total, filters=params.filters
                )
            if results.terms and params.page == 1:
                record_query(
                    site=site,
                    query=params.query,
                    whole_group=params.site is None,
                    result_count=results.total,
                    client=client_key(ip=client_ip(request)),
                )
    elif "q" in request.GET:
        params.notes.append("请输入搜索词。")
    scope_site = params.site or site
    context = {
        "page": site.root_page.specific,
        "site": site,
        "search": params,
        "results": results,
        "unavailable": unavailable,
        "suggestion": suggestion,
        "suggestion_url": "?" + params.querystring(q=suggestion.query, page="") if suggestion else "",
        "page_links": _page_links(params, results) if results and results.num_pages > 1 else [],
        "previous_url": "?" + params.querystring(page=results.page - 1)
        if results and results.has_previous
        else "",
        "next_url": "?" + params.querystring(page=results.page + 1) if results and results.has_next else "",
        "sort_links": [
            (value, label, "?" + params.querystring(sort=value if value != "relevance" else ""))
            for value, label in SORTS.items()
        ],
        "recommendations": selectors.recommendations_for(query=params.query, site=site)
        if params.query
        else [],
        "hot_queries": selectors.hot_queries(site=site),
        "columns": selectors.site_columns(site=scope_site) if params.site is not None else [],
        "kinds": registry.kind_choices(),
        "other_sites": [s for s in selectors.group_sites() if s.pk != site.pk],
    }
    response = render(request, "portal/search/search.html", context, status=503 if unavailable else 200)
    response["X-Robots-Tag"] = "noindex, follow"  # result pages are not content for crawlers
    return response
