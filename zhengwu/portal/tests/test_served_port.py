"""Absolute links follow the port the server answers on (``PORT=8100 ./zw demo``), not the one in the records.

A real ``zhengwu serve`` on a free port (never 8000) over a site group created at port 8000: the pages, sitemap.xml,
the RSS feed, the API's ``url`` fields, the 公开指南's 互联网联系方式 and the site records all name the served port.
"""

from __future__ import annotations

import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
import xml.etree.ElementTree as ET

import pytest

SETUP = r"""
import datetime as dt
from django.utils import timezone
from zhengwu.core.models import Organization, OrganizationKind
from zhengwu.disclosure.services.catalogue import save_guide
from zhengwu.portal.models import ArticlePage, ColumnKind, ColumnPage
from zhengwu.portal.services import create_site

def org(name, code, kind):
    o = Organization(name=name, kind=kind, code=code)
    o.save()
    o.path = f"{o.pk:06d}/"
    o.save(update_fields=["path"])
    return o

county = org("端口县人民政府", "DKX", OrganizationKind.GOVERNMENT)
town = org("端口县东岭镇人民政府", "DLZ", OrganizationKind.GOVERNMENT)
bureau = org("端口县文化旅游局", "WLJ", OrganizationKind.DEPARTMENT)
portal = create_site(organization=county, site_name="端口县人民政府", hostname="127.0.0.1", port=8000,
                     is_default=True, actor=None)
create_site(organization=town, site_name="东岭镇", hostname="dongling.localhost", port=8000, actor=None)
public = create_site(organization=bureau, site_name="外网站点", hostname="www.example.org", port=443, actor=None)
column = ColumnPage(title="工作动态", slug="gzdt", column_kind=ColumnKind.NEWS)
portal.root_page.add_child(instance=column)
column.save_revision().publish()
article = ArticlePage(title="端口县召开春耕备耕工作会", slug="cgbg", body="<p>会议部署春耕备耕。</p>",
                      published_at=timezone.now() - dt.timedelta(days=1))
column.add_child(instance=article)
article.save_revision().publish()
save_guide(organization=county, actor=None, classification="按主题分类。", arrangement="按年份编排。",
           access_methods="网站公开。", office_name="县政府办公室", office_address="人民路1号",
           office_hours="工作日", phone="0799-1234567", fax="0799-1234568", online_contact="/xxgk/ysqgk/")
print(column.pk)
"""


def _free_port() -> int:
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port != 8000:
            return port


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.status, response.read().decode("utf-8")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("served-port")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "ZHENGWU_BASE_URL")
    }
    env.update(
        ZHENGWU_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="zhengwu.settings.dev", PYTHONUNBUFFERED="1"
    )
    zw = [sys.executable, "-m", "zhengwu"]
    subprocess.run([*zw, "migrate", "--noinput", "-v", "0"], env=env, check=True, timeout=900)
    subprocess.run([*zw, "createcachetable"], env=env, check=True, timeout=300)
    made = subprocess.run([*zw, "shell", "-c", SETUP], env=env, timeout=300, capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    column_id = made.stdout.split()[-1]
    port = _free_port()
    log = data_dir / "serve.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [*zw, "serve", "--port", str(port), "--no-worker"], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                _get(f"http://127.0.0.1:{port}/robots.txt.probe")
            except urllib.error.HTTPError:
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise AssertionError(log.read_text()) from None
                time.sleep(0.5)
        yield {
            "port": port,
            "base": f"http://127.0.0.1:{port}",
            "column": column_id,
            "db": data_dir,
            "log": log,
        }
    finally:
        server.terminate()
        server.wait(timeout=30)


def _ports(text: str) -> set[str]:
    """The ports named in the absolute 127.0.0.1 / *.localhost addresses of ``text``."""
    return set(re.findall(r"https?://(?:127\.0\.0\.1|[a-z0-9.-]*localhost)(?::(\d+))?", text))


def test_pages_name_the_served_port(served):
    port = str(served["port"])
    status, home = _get(served["base"] + "/")
    assert status == 200
    assert _ports(home) == {port}, _ports(home)
    assert f"http://dongling.localhost:{port}/" in home  # the site group's other site, same server
    status, article = _get(served["base"] + "/gzdt/cgbg/")
    assert re.search(rf'<meta name="Url" content="http://127\.0\.0\.1:{port}/gzdt/cgbg/">', article)


def test_sitemap_feed_and_api_name_the_served_port(served):
    port = str(served["port"])
    base = served["base"]
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [e.text for e in ET.fromstring(_get(base + "/sitemap.xml")[1]).findall("s:url/s:loc", ns)]
    assert f"{base}/gzdt/cgbg/" in locs and all(loc.startswith(base + "/") for loc in locs)
    channel = ET.fromstring(_get(f"{base}/rss/{served['column']}/")[1]).find("channel")
    assert channel.findtext("link") == f"{base}/gzdt/"
    assert [i.findtext("link") for i in channel.findall("item")] == [f"{base}/gzdt/cgbg/"]
    items = json.loads(_get(base + "/api/v1/items")[1])["items"]
    assert [i["url"] for i in items] == [f"{base}/gzdt/cgbg/"]
    sites = json.loads(_get(base + "/api/v1/sites")[1])
    portal = next(s for s in sites if s["is_portal"])
    columns = json.loads(_get(f"{base}/api/v1/sites/{portal['id']}/columns")[1])
    assert [c["url"] for c in columns] == [f"{base}/gzdt/"]
    assert _ports(json.dumps(items + columns)) == {port}


def test_disclosure_guide_contact_names_the_served_port(served):
    _status, guide = _get(served["base"] + "/xxgk/DKX/zn/")
    assert f"<td>{served['base']}/xxgk/ysqgk/</td>" in guide
    assert ":8000" not in guide


def test_site_records_follow_the_served_port_except_public_hosts(served):
    with sqlite3.connect(served["db"] / "zhengwu.sqlite3") as conn:
        ports = dict(conn.execute("SELECT hostname, port FROM wagtailcore_site").fetchall())
    assert ports == {
        "127.0.0.1": served["port"],
        "dongling.localhost": served["port"],
        "www.example.org": 443,
    }
    assert f"端口已更新为 {served['port']}" in served["log"].read_text()
