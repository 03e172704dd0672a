# ruff: noqa: F811  (fixtures imported from opendata_fixtures)
"""The staff pages of the open datasets: a department uploads a file and sets the licence of its open entry and
sees downloads; another department cannot; a staff member issues a token and the API then shows their scope."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from .opendata_fixtures import HOST, datasets, portal  # noqa: F401


def test_a_department_uploads_a_file_and_the_public_can_download_it(client, portal, datasets, market_liaison):
    shops = datasets["shops"]
    client.force_login(market_liaison)
    url = f"/admin/catalog/resources/{shops.pk}/opendata/"
    page = client.get(url)
    assert page.status_code == 200 and "上传数据文件" in page.content.decode()
    data = "乡镇,户数\n城关镇,120\n溪口镇,87\n".encode("gb18030")
    response = client.post(
        url, {"action": "upload", "title": "各乡镇开业户数", "file": SimpleUploadedFile("乡镇.csv", data)}
    )
    assert response.status_code == 302
    response = client.post(url, {"action": "licence", "licence": "odc-by"})
    assert response.status_code == 302
    # A file whose content is not what its name says is refused, keeping the name typed.
    bad = client.post(
        url,
        {
            "action": "upload",
            "title": "伪装文件",
            "file": SimpleUploadedFile("x.csv", b"%PDF-1.7\n" + b"\0" * 50),
        },
    )
    assert bad.status_code == 400 and "伪装文件" in bad.content.decode() and "不符" in bad.content.decode()
    client.logout()
    detail = client.get("/kfsj/102002-0001/", HTTP_HOST=HOST).content.decode()
    assert "各乡镇开业户数" in detail and "开放数据共享署名许可" in detail


def test_another_department_cannot_open_the_page(client, datasets, police_liaison):
    client.force_login(police_liaison)
    assert client.get(f"/admin/catalog/resources/{datasets['shops'].pk}/opendata/").status_code == 404


def test_a_staff_member_issues_a_token_and_reads_their_scope(client, datasets, police_liaison):
    client.force_login(police_liaison)
    empty = client.post("/admin/catalog/api-tokens/", {"action": "issue", "name": "  "})
    assert empty.status_code == 400 and "用途" in empty.content.decode()
    page = client.post("/admin/catalog/api-tokens/", {"action": "issue", "name": "季度统计"}).content.decode()
    key = page.split("<code>")[1].split("</code>")[0]
    assert key.startswith("zwck_")
    client.logout()
    names = client.get("/api/3/action/package_list", HTTP_AUTHORIZATION=key).json()["result"]
    assert datasets["census"].code.replace("/", "-") in names
