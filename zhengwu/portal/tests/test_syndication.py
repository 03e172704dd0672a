"""同步推送: a sub-site item pushed to a portal column stays one source of truth."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from zhengwu.core.models import AuditLog
from zhengwu.portal.models import ArticlePage, ColumnKind, ColumnPage
from zhengwu.portal.services import create_site
from zhengwu.portal.syndication import push_to_column, pushes_of
from zhengwu.portal.tests.test_pages import HOST, add, portal  # noqa: F401  (fixture)


@pytest.fixture
def department(portal, make_org, make_staff):  # noqa: F811
    org = make_org("示范县发展和改革委员会", parent=portal["home"].organization, code="FGW")
    site = create_site(
        organization=org, site_name="示范县发展和改革委员会", hostname="fgw.localhost", port=8000, actor=None
    )
    column = add(
        site.root_page.specific, ColumnPage(title="工作动态", slug="gzdt", column_kind=ColumnKind.NEWS)
    )
    item = add(
        column,
        ArticlePage(
            title="县发改委召开重点项目调度会",
            slug="ddh",
            body="<p>第一版</p>",
            published_at=timezone.now(),
            source="县发改委",
        ),
    )
    portal_editor = make_staff(is_superuser=True, is_staff=True)
    return {"site": site, "item": item, "editor": portal_editor}


@pytest.mark.django_db
def test_push_shows_the_item_in_the_portal_column(client, portal, department):  # noqa: F811
    alias = push_to_column(page=department["item"], column=portal["news"], actor=department["editor"])
    html = client.get(portal["news"].url, HTTP_HOST=HOST).content.decode()
    assert "县发改委召开重点项目调度会" in html
    page_html = client.get(alias.url, HTTP_HOST=HOST).content.decode()
    assert "第一版" in page_html
    assert f'<link rel="canonical" href="{department["item"].full_url}">' in page_html
    assert AuditLog.objects.filter(action="portal.syndication.push").count() == 1


@pytest.mark.django_db
def test_editing_the_original_updates_the_push(client, portal, department):  # noqa: F811
    item = department["item"]
    alias = push_to_column(page=item, column=portal["news"], actor=department["editor"])
    item.body = "<p>第二版：补充了项目清单。</p>"
    item.save_revision().publish()
    html = client.get(alias.url, HTTP_HOST=HOST).content.decode()
    assert "第二版：补充了项目清单。" in html and "第一版" not in html


@pytest.mark.django_db
def test_bad_pushes_are_refused(portal, department):  # noqa: F811
    item, editor = department["item"], department["editor"]
    push_to_column(page=item, column=portal["news"], actor=editor)
    with pytest.raises(ValidationError, match="已推送"):
        push_to_column(page=item, column=portal["news"], actor=editor)
    with pytest.raises(ValidationError, match="本网站"):
        push_to_column(page=item, column=item.get_parent().specific, actor=editor)
    with pytest.raises(ValidationError, match="原稿"):
        push_to_column(page=pushes_of(item)[0], column=portal["policy"].get_parent().specific, actor=editor)


@pytest.mark.django_db
def test_push_and_withdraw_in_the_admin(client, portal, department):  # noqa: F811
    item = department["item"]
    client.force_login(department["editor"])
    assert "同步推送" in client.get(f"/admin/pages/{item.pk}/edit/").content.decode()
    response = client.post(f"/admin/portal/push/{item.pk}/", {"column": portal["news"].pk})
    assert response.status_code == 302
    alias = pushes_of(item)[0]
    response = client.post(f"/admin/portal/push/{item.pk}/", {"column": "999999"})
    assert "所选栏目不可用，请重新选择。" in response.content.decode()
    client.post(f"/admin/portal/push/{item.pk}/", {"withdraw": alias.pk})
    assert pushes_of(item) == []
    assert ArticlePage.objects.filter(pk=item.pk, live=True).exists()
