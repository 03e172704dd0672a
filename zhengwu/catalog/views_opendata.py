"""Public pages of the 开放 datasets (开放数据, ``kfsj`` on the portal): a list with search and filters, a page per
dataset (description, 信息项, files or interface link, 更新周期, licence) and counted downloads. Only approved
entries marked 是否向社会开放 are shown; everything else is a 404."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_GET
from wagtail.models import Site

from .models import DistributionKind
from .selectors import opendata as od
from .services.opendata import count_download


def _context(request: HttpRequest, **extra) -> dict:
    site = Site.find_for_request(request)
    if site is None:
        raise Http404("网站不存在")
    return {"site": site, "page": site.root_page.specific, **extra}


def _dataset_or_404(name: str):
    resource = od.find_dataset(od.public_datasets(), name)
    if resource is None:
        raise Http404("数据集不存在或未开放")
    return resource


@require_GET
def dataset_list(request: HttpRequest) -> HttpResponse:
    selected = {
        "q": request.GET.get("q", "").strip()[:50],
        "org": request.GET.get("org", "").strip()[:20],
        "group": request.GET.get("group", "").strip()[:20],
        "cycle": request.GET.get("cycle", "").strip()[:20],
        "format": request.GET.get("format", "").strip()[:10],
        "sort": request.GET.get("sort", "") if request.GET.get("sort", "") in {"name", "new"} else "",
    }
    fq = []
    if selected["org"]:
        fq.append(f'organization:"{selected["org"]}"')
    if selected["group"]:
        fq.append(f'groups:"{selected["group"]}"')
    if selected["format"]:
        fq.append(f'res_format:"{selected["format"]}"')
    qs = od.public_datasets()
    if selected["cycle"]:
        qs = qs.filter(update_cycle=selected["cycle"])
    sort = "name asc" if selected["sort"] == "name" else "metadata_modified desc"
    try:
        found = od.search(qs, q=selected["q"], fq=" ".join(fq), sort=sort, rows=10**6)
        error = ""
    except ValidationError as exc:
        found, error = od.search(qs.none(), rows=0), " ".join(exc.messages)
    for resource in found.results:
        resource.ckan_name = od.package_name(resource)
    everything = od.public_datasets()
    page = Paginator(found.results, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "catalog/opendata/list.html",
        _context(
            request,
            datasets=page,
            count=found.count,
            error=error,
            selected=selected,
            organizations=od.organizations_with_counts(everything),
            groups=od.groups_with_counts(everything),
            cycles=sorted({c for c in everything.values_list("update_cycle", flat=True) if c}),
            formats=sorted(found.facets["res_format"]),
        ),
    )


@require_GET
def dataset_detail(request: HttpRequest, name: str) -> HttpResponse:
    resource = _dataset_or_404(name)
    files = od.files_of(resource)
    return render(
        request,
        "catalog/opendata/detail.html",
        _context(
            request,
            dataset=resource,
            name=od.package_name(resource),
            items=list(resource.items.all()),
            files=files,
            licence=od.licence_of(resource),
            group=od.group_of(resource),
            tags=od.tags_of(resource),
            downloads=sum(f.download_count for f in files),
            document_meta={
                "title": resource.name,
                "published": resource.published_on,
                "source": resource.provider.name,
            },
        ),
    )


@require_GET
def download(request: HttpRequest, name: str, file_id: str) -> HttpResponse:
    resource = _dataset_or_404(name)
    dist = next((d for d in od.files_of(resource) if str(d.uuid) == str(file_id)), None)
    if dist is None:
        raise Http404("文件不存在")
    if dist.kind == DistributionKind.API:
        count_download(dist)
        return HttpResponseRedirect(dist.url)
    try:
        handle = dist.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("文件不存在") from None
    count_download(dist)
    filename = (
        dist.title if dist.title.lower().endswith(f".{dist.file_kind}") else f"{dist.title}.{dist.file_kind}"
    )
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=dist.mime)
