"""DCAT export of the catalogue (``/catalog.jsonld`` and ``/catalog.ttl``), after the mapping of domain/catalog.md §4:
an entry is a ``dcat:Dataset``, its files and interface links ``dcat:Distribution``; the 共享类型 is
``dct:accessRights`` (无条件 PUBLIC, 有条件 RESTRICTED, 不予 NON_PUBLIC) and the 更新周期
``dct:accrualPeriodicity``, both in the EU Publications Office vocabularies. Like the API it shows the caller what
the caller may see (the public: open datasets; a staff token: its owner's scope too)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

from .api_ckan import NotAuthorized, _caller
from .selectors import opendata as od

ADMS = Namespace("http://www.w3.org/ns/adms#")


def build_graph(request: HttpRequest, user) -> Graph:
    conf = od.settings_()
    rights = Namespace(conf["access_rights_base"])
    frequency = Namespace(conf["frequency_base"])
    graph = Graph()
    graph.bind("dcat", DCAT)
    graph.bind("dct", DCTERMS)
    graph.bind("foaf", FOAF)
    graph.bind("adms", ADMS)
    base = request.build_absolute_uri("/").rstrip("/")
    catalog = URIRef(f"{base}/catalog")
    graph.add((catalog, RDF.type, DCAT.Catalog))
    graph.add((catalog, DCTERMS.title, Literal("政务信息资源目录（开放数据）", lang="zh")))
    graph.add((catalog, FOAF.homepage, URIRef(f"{base}{reverse('opendata_list')}")))
    publishers: dict[int, URIRef] = {}
    for resource in od.datasets_for(user).order_by("code"):
        name = od.package_name(resource)
        dataset = URIRef(f"{base}{reverse('opendata_detail', args=[name])}")
        graph.add((catalog, DCAT.dataset, dataset))
        graph.add((dataset, RDF.type, DCAT.Dataset))
        graph.add((dataset, DCTERMS.identifier, Literal(resource.code)))
        graph.add((dataset, DCTERMS.title, Literal(resource.name, lang="zh")))
        if resource.summary:
            graph.add((dataset, DCTERMS.description, Literal(resource.summary, lang="zh")))
        access = conf["access_rights"].get(resource.share_type)
        if access:
            graph.add((dataset, DCTERMS.accessRights, rights[access]))
        period = conf["frequencies"].get(resource.update_cycle)
        if period:
            graph.add((dataset, DCTERMS.accrualPeriodicity, frequency[period]))
        if resource.published_on:
            graph.add((dataset, DCTERMS.issued, Literal(resource.published_on, datatype=XSD.date)))
        graph.add(
            (
                dataset,
                DCTERMS.modified,
                Literal(resource.updated_at.replace(microsecond=0), datatype=XSD.dateTime),
            )
        )
        for code in resource.related_codes or []:
            graph.add((dataset, DCTERMS.relation, Literal(code)))
        for tag in od.tags_of(resource):
            graph.add((dataset, DCAT.keyword, Literal(tag, lang="zh")))
        group = od.group_of(resource)
        if group is not None:
            graph.add((dataset, DCAT.theme, URIRef(f"{base}/group/{group.code}")))
        if od.is_public(resource):
            graph.add((dataset, DCAT.landingPage, URIRef(f"{base}{reverse('opendata_detail', args=[name])}")))
        org = resource.provider
        if org.pk not in publishers:
            publisher = URIRef(f"{base}/organization/{od.organization_name(org)}")
            graph.add((publisher, RDF.type, FOAF.Organization))
            graph.add((publisher, FOAF.name, Literal(org.name, lang="zh")))
            publishers[org.pk] = publisher
        graph.add((dataset, DCTERMS.publisher, publishers[org.pk]))
        licence = od.licence_of(resource)
        for dist in od.files_of(resource):
            node = URIRef(f"{base}{reverse('opendata_detail', args=[name])}#{dist.uuid}")
            graph.add((dataset, DCAT.distribution, node))
            graph.add((node, RDF.type, DCAT.Distribution))
            graph.add((node, DCTERMS.title, Literal(dist.title, lang="zh")))
            graph.add((node, DCTERMS.format, Literal(dist.format_label)))
            if dist.kind == "api":
                graph.add((node, DCAT.accessURL, URIRef(dist.url)))
            else:
                url = URIRef(f"{base}{reverse('opendata_download', args=[name, dist.uuid])}")
                graph.add((node, DCAT.accessURL, url))
                graph.add((node, DCAT.downloadURL, url))
                if dist.mime:
                    graph.add((node, DCAT.mediaType, Literal(dist.mime)))
                if dist.size is not None:
                    graph.add((node, DCAT.byteSize, Literal(dist.size, datatype=XSD.nonNegativeInteger)))
            if licence:
                target = URIRef(licence["url"]) if licence.get("url") else BNode()
                if not licence.get("url"):
                    graph.add((target, DCTERMS.title, Literal(licence["title"], lang="zh")))
                graph.add((node, DCTERMS.license, target))
    return graph


def _export(request: HttpRequest, fmt: str, content_type: str) -> HttpResponse:
    try:
        user = _caller(request)
    except NotAuthorized as exc:
        return JsonResponse(
            {"success": False, "error": {"__type": exc.kind, "message": exc.message}},
            status=403,
            json_dumps_params={"ensure_ascii": False},
        )
    data = build_graph(request, user).serialize(format=fmt)
    response = HttpResponse(data, content_type=f"{content_type}; charset=utf-8")
    response["Vary"] = "Authorization, X-CKAN-API-Key"
    return response


@csrf_exempt
@require_GET
def catalog_jsonld(request: HttpRequest) -> HttpResponse:
    return _export(request, "json-ld", "application/ld+json")


@csrf_exempt
@require_GET
def catalog_ttl(request: HttpRequest) -> HttpResponse:
    return _export(request, "turtle", "text/turtle")
