"""The 资源目录 pages of the staff admin, driven over HTTP as staff use them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhengwu.catalog.models import CatalogVersion, Resource
from zhengwu.catalog.services import resources as svc

PASSWORD = "Zw-Test-Passw0rd!"


@pytest.fixture
def login(client):
    def as_(staff):
        client.force_login(staff)
        return client

    return as_


def _form(classes, county, **overrides):
    values = {
        "classification": classes["residents"].pk,
        "name": "居民身份证信息",
        "provider": county["police"].pk,
        "summary": "居民身份证签发信息。",
        "resource_format": "数据库",
        "items": "公民身份号码，字符型\n签发日期，D",
        "share_type": "none",
        "share_basis": "",
        "share_method": "接口方式",
        "update_cycle": "每日",
        "action": "save",
    }
    values.update(overrides)
    return values


def test_liaison_adds_an_entry_and_sees_the_reason_for_a_refusal(login, police_liaison, classes, county):
    client = login(police_liaison)
    url = reverse("catalog_resource_new")
    assert client.get(url).status_code == 200
    response = client.post(url, _form(classes, county))
    assert response.status_code == 400
    text = response.content.decode()
    assert "不予共享的资源须写明所依据的法律" in text
    assert "居民身份证信息" in text and "签发日期，D" in text  # what was typed is kept
    assert not Resource.objects.exists()
    response = client.post(url, _form(classes, county, share_basis="《居民身份证法》第六条"))
    entry = Resource.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "catalog_resource_edit", args=[entry.pk]
    )
    assert entry.code == "101001/0001" and [i.data_type for i in entry.items.all()] == ["字符型", "日期型"]
    page = client.get(reverse("catalog_resources")).content.decode()
    assert "101001/0001" in page and "人口" in page and "不予共享" in page


def test_liaison_cannot_open_or_change_another_departments_entry(
    login, market_liaison, entry_data, classes, county
):
    entry = svc.create_resource(actor=None, data=entry_data())
    client = login(market_liaison)
    url = reverse("catalog_resource_edit", args=[entry.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, _form(classes, county, share_type="unconditional")).status_code == 404
    assert "户籍人口基本信息" not in client.get(reverse("catalog_resources")).content.decode()
    entry.refresh_from_db()
    assert entry.name == "户籍人口基本信息"


def test_office_reviews_publishes_and_sees_completeness(login, police_liaison, catalog_admin, entry_data):
    entry = svc.create_resource(actor=police_liaison, data=entry_data())
    client = login(police_liaison)
    url = reverse("catalog_resource_edit", args=[entry.pk])
    client.post(url, {"action": "submit"})
    client = login(catalog_admin)
    client.post(url, {"action": "return", "comment": ""})
    entry.refresh_from_db()
    assert entry.status == "submitted"  # a return needs its reasons
    client.post(url, {"action": "approve"})
    entry.refresh_from_db()
    assert entry.status == "approved"
    response = client.post(reverse("catalog_versions"), {"note": "第一版"})
    assert response.status_code == 302
    assert CatalogVersion.objects.get().entry_count == 1
    assert "第 1 版" in client.get(reverse("catalog_versions")).content.decode()
    page = client.get(reverse("catalog_completeness")).content.decode()
    assert "青溪县公安局" in page


def test_publishing_needs_the_office_role(login, police_liaison, catalog_admin, entry_data):
    client = login(police_liaison)
    response = client.post(reverse("catalog_versions"), {"note": "越权"}, follow=True)
    assert "没有发布目录的权限" in response.content.decode()
    assert not CatalogVersion.objects.exists()


def test_office_marks_a_departments_entries_for_review(login, catalog_admin, entry_data, county):
    entry = svc.create_resource(actor=None, data=entry_data())
    client = login(catalog_admin)
    url = reverse("catalog_completeness")
    response = client.post(url, {"organization": county["police"].pk, "reason": ""})
    assert response.status_code == 400 and "请写明职能变化的情况" in response.content.decode()
    response = client.post(url, {"organization": county["police"].pk, "reason": "划入户政管理职责"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.needs_review and entry.review_reason == "划入户政管理职责"
    assert "待复核：划入户政管理职责" in client.get(url).content.decode()


def test_office_adds_a_class_and_a_wrong_code_is_explained(login, catalog_admin, police_liaison):
    from zhengwu.catalog.models import ResourceClass

    population = ResourceClass.objects.get(code="101")
    client = login(catalog_admin)
    url = reverse("catalog_classes")
    response = client.post(url, {"parent": population.pk, "segment": "7", "name": "流动人口"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "目的代码须为3位数字" in text and 'value="流动人口"' in text
    assert (
        client.post(url, {"parent": population.pk, "segment": "007", "name": "流动人口"}).status_code == 302
    )
    assert ResourceClass.objects.get(code="101007").name == "流动人口"
    refused = login(police_liaison).get(url)  # the admin sends a refused page back to its home page
    assert refused.status_code == 302 and refused["Location"] == reverse("wagtailadmin_home")
