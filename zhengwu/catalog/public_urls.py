"""Public URLs of the catalogue: the 开放数据 pages, the CKAN-compatible Action API and the DCAT export."""

from django.urls import include, path

from . import dcat, views_opendata

urlpatterns = [
    path("kfsj/", views_opendata.dataset_list, name="opendata_list"),
    path("kfsj/<str:name>/", views_opendata.dataset_detail, name="opendata_detail"),
    path("kfsj/<str:name>/xz/<uuid:file_id>/", views_opendata.download, name="opendata_download"),
    path("catalog.jsonld", dcat.catalog_jsonld, name="catalog_dcat_jsonld"),
    path("catalog.ttl", dcat.catalog_ttl, name="catalog_dcat_ttl"),
    path("", include("zhengwu.catalog.api_ckan")),
]
