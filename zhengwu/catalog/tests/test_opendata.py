"""开放 datasets on the portal: the list with search and filters, the dataset page, counted downloads, and the
department's writes (files checked by content, licences from the list, interface links)."""

# ruff: noqa: F811  (fixtures imported from opendata_fixtures)
from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from .opendata_fixtures import CSV, HOST, Upload, datasets, portal  # noqa: F401


def _page(client, path, **params):
    response = client.get(path, params, HTTP_HOST=HOST)
    assert response.status_code == 200, response.status_code
    return response.content.decode("utf-8")


def test_list_search_and_filters(client, portal, datasets):
    html = _page(client, "/kfsj/")
    assert "个体工商户开业登记公示信息" in html and "国有建设用地供应结果" in html
    assert "共 2 个数据集" in html
    html = _page(client, "/kfsj/", q="建设用地")
    assert "国有建设用地供应结果" in html and "个体工商户" not in html
    html = _page(client, "/kfsj/", org="scj")
    assert "个体工商户开业登记公示信息" in html and "国有建设用地供应结果" not in html
    html = _page(client, "/kfsj/", cycle="每季度")
    assert "国有建设用地供应结果" in html and "共 1 个数据集" in html
    html = _page(client, "/kfsj/", format="CSV")
    assert "个体工商户开业登记公示信息" in html and "共 1 个数据集" in html
    html = _page(client, "/kfsj/", group="103", q="个体")
    assert "共 0 个数据集" in html and "没有符合条件的开放数据集" in html
    html = _page(client, "/kfsj/", org='a"b')  # a filter that cannot be parsed is an error, not a 500
    assert "共 0 个数据集" in html


def test_dataset_page_shows_description_items_files_cycle_and_licence(client, portal, datasets):
    html = _page(client, "/kfsj/102002-0001/")
    for text in (
        "本县新开业个体工商户的登记公示信息",
        "经营者",
        "日期型",
        "每月",
        "知识共享署名 4.0",
        "2026年3月个体户开业",
        "https://data.example.gov.cn/api/gth",
        "青溪县市场监督管理局",
    ):
        assert text in html, text
    land = _page(client, "/kfsj/103004-0001/")
    assert "提供部门尚未上传数据文件" in land and "本县政府数据开放平台数据使用协议" in land


def test_traditional_variant(client, portal, datasets):
    html = _page(client, "/zh-hant/kfsj/102002-0001/")
    assert "個體工商戶開業登記公示信息" in html


def test_downloads_are_counted(client, portal, datasets):
    shop_file = datasets["shop_file"]
    path = f"/kfsj/102002-0001/xz/{shop_file.uuid}/"
    for _ in range(2):
        response = client.get(path, HTTP_HOST=HOST)
        assert response.status_code == 200
        assert b"".join(response.streaming_content).decode("utf-8") == CSV
    shop_file.refresh_from_db()
    assert shop_file.download_count == 2
    api = client.get(f"/kfsj/102002-0001/xz/{datasets['shop_api'].uuid}/", HTTP_HOST=HOST)
    assert api.status_code == 302 and api["Location"] == "https://data.example.gov.cn/api/gth"
    assert "已下载 2 次" in _page(client, "/kfsj/102002-0001/")
    # A file id of another dataset is not served under this one.
    other = client.get(f"/kfsj/103004-0001/xz/{shop_file.uuid}/", HTTP_HOST=HOST)
    assert other.status_code == 404


def test_an_upload_whose_content_disagrees_with_its_name_is_refused(datasets, market_liaison):
    from zhengwu.catalog.services.opendata import add_file

    exe = Upload(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200, "名单.csv")
    with pytest.raises(ValidationError) as err:
        add_file(actor=market_liaison, resource=datasets["shops"], uploaded_file=exe)
    assert "不符" in " ".join(err.value.messages)
    with pytest.raises(ValidationError):
        add_file(actor=market_liaison, resource=datasets["shops"], uploaded_file=Upload(b"x", "a.exe"))


def test_only_the_provider_maintains_and_only_open_entries_take_files(
    datasets, police_liaison, market_liaison
):
    from zhengwu.catalog.services.opendata import add_api_link, add_file, set_licence

    with pytest.raises(ValidationError, match="市场监督管理局维护"):
        add_file(
            actor=police_liaison, resource=datasets["shops"], uploaded_file=Upload(CSV.encode(), "a.csv")
        )
    with pytest.raises(ValidationError, match="未标记为向社会开放"):
        add_file(
            actor=police_liaison, resource=datasets["census"], uploaded_file=Upload(CSV.encode(), "a.csv")
        )
    with pytest.raises(ValidationError) as err:
        add_api_link(actor=market_liaison, resource=datasets["shops"], url="ftp://data/gth")
    assert "ftp://data/gth" in str(err.value)
    with pytest.raises(ValidationError) as err:
        set_licence(actor=market_liaison, resource=datasets["shops"], licence="all-rights")
    assert "all-rights" in str(err.value)


def test_a_gb18030_csv_is_accepted(datasets, market_liaison):
    from zhengwu.catalog.services.opendata import add_file

    dist = add_file(
        actor=market_liaison,
        resource=datasets["shops"],
        uploaded_file=Upload(CSV.encode("gb18030"), "四月.csv"),
    )
    assert dist.file_kind == "csv" and dist.size == len(CSV.encode("gb18030"))
    assert dist.file.name.startswith("catalog/opendata/")
