"""The demo county's catalogue (issue 12 item 6): about 150 entries of 20 departments across the four 基础库,
sharing requests in every state, with pending replies both within and past their limit, and at least 20 open
datasets with a licence and files — read back as a citizen and as a CKAN client would read them."""

from __future__ import annotations

import pytest

from zhengwu.core.registry import DemoContext


@pytest.fixture(scope="module", autouse=True)
def _calendar(official_calendar):
    """The demo's request clocks run on the official schedule, as after ``zhengwu setup``."""


def build(scale=1.0):
    from zhengwu.catalog.demo_catalog import build_catalog
    from zhengwu.core.demo_core import build_organizations
    from zhengwu.core.services.staff import sync_roles

    ctx = DemoContext(scale=scale)
    build_organizations(ctx)
    sync_roles()
    build_catalog(ctx)
    return ctx


@pytest.mark.django_db
def test_demo_catalogue_and_requests_in_every_state():
    from zhengwu.catalog.models import CatalogVersion, Resource, ShareRequest, ShareRequestStatus
    from zhengwu.catalog.selectors.sharing import reply_status

    build()
    entries = Resource.objects.all()
    assert 140 <= entries.count() <= 170
    assert entries.values("provider").distinct().count() == 20
    libraries = {code[:3] for code in entries.values_list("classification__code", flat=True)}
    assert libraries == {"101", "102", "103", "301"}  # 人口, 法人, 空间地理, 宏观经济
    assert set(entries.values_list("share_type", flat=True)) == {"unconditional", "conditional", "none"}
    assert CatalogVersion.objects.get().entry_count == entries.count()

    statuses = set(ShareRequest.objects.values_list("status", flat=True))
    assert statuses == set(ShareRequestStatus.values)
    pending = [reply_status(r) for r in ShareRequest.objects.filter(status=ShareRequestStatus.PENDING)]
    assert "超期" in pending and "正常" in pending
    answered = {reply_status(r) for r in ShareRequest.objects.filter(status=ShareRequestStatus.GRANTED)}
    assert {"按期答复", "超期答复", ""} <= answered  # on time, late, and granted at once (no clock)
    assert ShareRequest.objects.filter(status=ShareRequestStatus.REFUSED).exclude(resolution="").exists()
    assert not ShareRequest.objects.filter(status=ShareRequestStatus.REFUSED, refusal_reason="").exists()
    assert not ShareRequest.objects.filter(resource__share_type="none").exists()


PERSONAL = {"公民身份号码", "姓名", "男方身份号码", "女方身份号码", "学籍号", "法定代表人"}


@pytest.mark.django_db
def test_demo_open_datasets_have_a_licence_and_files_that_open():
    import csv
    import io

    from openpyxl import load_workbook

    from zhengwu.catalog.models import Distribution, Resource, ResourceStatus

    build()
    public = Resource.objects.filter(open_to_public=True, status=ResourceStatus.APPROVED)
    assert public.count() >= 20
    assert set(public.values_list("share_type", flat=True)) == {"unconditional"}
    for entry in public:
        names = [item.name for item in entry.items.order_by("position")]
        assert not PERSONAL & set(names), entry.name
        assert entry.open_dataset.licence
        files = list(entry.distributions.filter(kind="file"))
        assert files, entry.name
        for dist in files:
            data = dist.file.read()
            dist.file.close()
            if dist.file_kind == "csv":
                rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
            else:
                assert dist.file_kind == "xlsx"
                sheet = load_workbook(io.BytesIO(data), read_only=True).active
                rows = [[str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
            assert rows[0] == names and len(rows) > 5, entry.name
            assert all(len(row) == len(names) and all(row) for row in rows[1:])
    assert Distribution.objects.filter(file_kind="xlsx").exists()
    assert not Distribution.objects.filter(resource__open_to_public=False).exists()


@pytest.mark.django_db(transaction=True)
def test_a_ckan_client_reads_the_demo_open_catalogue(live_server):
    import ckanapi
    import requests

    from zhengwu.catalog.models import Resource

    build()
    public = Resource.objects.filter(open_to_public=True)
    ckan = ckanapi.RemoteCKAN(live_server.url, user_agent="harvester/1.0")
    names = ckan.action.package_list()
    assert len(names) == public.count() >= 20
    assert set(names) == {code.replace("/", "-") for code in public.values_list("code", flat=True)}
    orgs = ckan.action.organization_list(all_fields=True)
    assert sum(org["package_count"] for org in orgs) == len(names)
    found = ckan.action.package_search(q="统计汇总", rows=1000)
    assert found["count"] == public.filter(name__contains="统计汇总").count() > 0
    shown = ckan.action.package_show(id=found["results"][0]["name"])
    assert shown["license_id"] and "CSV" in {r["format"] for r in shown["resources"]}
    csv_url = next(r["url"] for r in shown["resources"] if r["format"] == "CSV")
    response = requests.get(csv_url, timeout=30)
    assert response.status_code == 200
    header = response.content.decode("utf-8-sig").splitlines()[0].split(",")
    assert header[0] == "乡镇（街道）"
