"""The production configuration: `zhengwu deploy_config` writes it, and nginx runs it in front of the application —
published pages come from files, everything else from the application, purged and re-published on change."""

from __future__ import annotations

import http.client
import io
import os
import random
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
from captcha.models import CaptchaStore
from django.core.management import CommandError, call_command

from zhengwu.portal.models import ArticlePage, ErrorReport
from zhengwu.portal.tests.test_cache import build_portal

NGINX = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.django_db
def test_deploy_config_fills_in_this_installation(tmp_path, settings, capsys):
    settings.ZHENGWU_PUBLISH_DIR = str(tmp_path / "published")
    out = tmp_path / "conf"
    call_command(
        "deploy_config",
        "--out",
        str(out),
        "--server-name",
        "www.sfx.gov.cn",
        "--server-name",
        "fgw.sfx.gov.cn",
        "--tls-cert",
        str(tmp_path / "cert.pem"),
        "--tls-key",
        str(tmp_path / "key.pem"),
        "--workers",
        "3",
    )
    assert "已生成配置" in capsys.readouterr().out
    site = (out / "nginx-zhengwu.conf").read_text()
    assert "server_name www.sfx.gov.cn fgw.sfx.gov.cn;" in site
    assert f"root {tmp_path / 'published'};" in site
    assert "listen 443 ssl http2;" in site and "return 301 https://$host$request_uri;" in site
    assert "server unix:/run/zhengwu/gunicorn.sock" in site
    assert "proxy_set_header X-Real-IP $remote_addr;" in site
    assert "$cookie_sessionid" in site
    assert "{{" not in site and "{%" not in site
    env = (out / "zhengwu.env").read_text()
    assert oct((out / "zhengwu.env").stat().st_mode & 0o777) == "0o600"
    key = re.search(r"^ZHENGWU_SECRET_KEY=(\w+)$", env, re.M).group(1)
    assert len(key) >= 50
    assert "ZHENGWU_PROXY_HEADER=X-Real-IP" in env and "ZHENGWU_PUBLISH_SCHEME=https" in env
    assert "ZHENGWU_ALLOWED_HOSTS=www.sfx.gov.cn,fgw.sfx.gov.cn" in env
    unit = (out / "zhengwu.service").read_text()
    assert f"EnvironmentFile={out / 'zhengwu.env'}" in unit and "deploy/gunicorn.conf.py" in unit
    assert "db_worker" in (out / "zhengwu-worker.service").read_text()

    # Nothing is overwritten by accident (the secret key would change).
    with pytest.raises(CommandError, match="--force"):
        call_command("deploy_config", "--out", str(out))
    with pytest.raises(CommandError, match="主机名无效"):
        call_command("deploy_config", "--out", str(tmp_path / "x"), "--server-name", "bad host")
    with pytest.raises(CommandError, match="同时给出"):
        call_command("deploy_config", "--out", str(tmp_path / "x"), "--tls-cert", "a.pem")
    with pytest.raises(CommandError, match="监听地址无效"):
        call_command("deploy_config", "--out", str(tmp_path / "x"), "--listen", "99999")


def nginx_main_config(root: Path, site_conf: Path) -> Path:
    user = "user root root;" if os.geteuid() == 0 else ""
    conf = root / "nginx.conf"
    conf.write_text(
        f"""{user}
worker_processes 1;
error_log {root}/error.log warn;
pid {root}/nginx.pid;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    include {site_conf};
}}
"""
    )
    return conf


def request(port: int, method: str, path: str, *, headers=None, body=None, source="127.0.0.1"):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))
    connection.request(method, path, body=body, headers={"Host": f"127.0.0.1:{port}", **(headers or {})})
    response = connection.getresponse()
    content = response.read()
    connection.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, content


def restore_wagtail_root() -> None:
    """An earlier transactional test may have emptied every table, Wagtail's default locale and root page (made by
    its migrations) included; put them back as the migrations made them."""
    from django.conf import settings as django_settings
    from wagtail.models import Locale, Page

    Locale.objects.get_or_create(language_code=django_settings.LANGUAGE_CODE)
    if Page.get_first_root_node() is None:
        Page.add_root(instance=Page(title="Root", slug="root", live=True))


@pytest.mark.skipif(NGINX is None, reason="nginx 未安装（Debian：apt-get install nginx-light）")
@pytest.mark.django_db(transaction=True)
def test_nginx_serves_published_pages_and_passes_the_rest_to_the_application(
    live_server, make_org, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.ZHENGWU_PUBLISH_DIR = str(tmp_path / "published")
    settings.ZHENGWU_PAGE_CACHE = False
    settings.ZHENGWU_PROXY_HEADER = "X-Real-IP"
    port = free_port()
    restore_wagtail_root()
    county = build_portal(make_org, hostname="127.0.0.1", port=port)
    call_command("publish_static", stdout=io.StringIO())
    upstream = live_server.url.removeprefix("http://")
    call_command(
        "deploy_config",
        "--out",
        str(tmp_path / "conf"),
        "--listen",
        f"127.0.0.1:{port}",
        "--server-name",
        "127.0.0.1",
        "--upstream",
        upstream,
        stdout=io.StringIO(),
    )
    conf = nginx_main_config(tmp_path, tmp_path / "conf" / "nginx-zhengwu.conf")
    check = subprocess.run([NGINX, "-t", "-c", str(conf)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    nginx = subprocess.Popen([NGINX, "-c", str(conf), "-g", "daemon off;"], stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.05)
        article = county["article"]
        published = tmp_path / "published" / "127.0.0.1" / "zwyw" / "cwhy" / "index.html"

        # A published page comes from its file, with the headers the application would send.
        status, headers, body = request(port, "GET", article.url)
        assert (status, headers["x-cache"]) == (200, "STATIC")
        assert body == published.read_bytes()
        assert headers["cache-control"] == "public, max-age=60" and headers["x-frame-options"] == "SAMEORIGIN"
        status, headers, body = request(port, "GET", "/zh-hant" + article.url)
        assert headers["x-cache"] == "STATIC" and "縣政府召開常務會議" in body.decode()

        # Logged-in visitors, query strings and other methods go to the application.
        for method, path, extra in (
            ("GET", article.url, {"Cookie": "sessionid=abc"}),
            ("GET", county["news"].url + "?page=1", {}),
            ("HEAD", article.url + "?x=1", {}),
        ):
            status, headers, _ = request(port, method, path, headers=extra)
            assert status == 200 and "x-cache" not in headers, (method, path)
        status, _, _ = request(
            port,
            "POST",
            "/_hit/",
            body=f"p={article.pk}",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert status == 204

        # The application sees the visitor's address in X-Real-IP, set by nginx (an address of this run's own:
        # the per-address limit of the form outlives the test database in Redis).
        visitor = f"127.{random.randint(1, 254)}.{random.randint(1, 254)}.{random.randint(2, 254)}"
        status, headers, body = request(port, "GET", "/jiucuo/", source=visitor)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body.decode()).group(1)
        cookie = headers["set-cookie"].split(";")[0]
        captcha_key = re.search(r'name="captcha_0" value="([^"]+)"', body.decode()).group(1)
        form = {
            "csrfmiddlewaretoken": token,
            "category": "typo",
            "description": "页面上的电话号码已经停用。",
            "page_url": article.url,
            "captcha_0": captcha_key,
            "captcha_1": CaptchaStore.objects.get(hashkey=captcha_key).response,
        }
        status, _, body = request(
            port,
            "POST",
            "/jiucuo/",
            body=urlencode(form),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": cookie,
                "Referer": f"http://127.0.0.1:{port}/jiucuo/",
            },
            source=visitor,
        )
        assert status == 200, body.decode()[:2000]
        assert "验证码" not in body.decode() or "不正确" not in body.decode()
        assert ErrorReport.objects.get().ip_address == visitor

        # Uploaded files: never run in the site's origin; documents only through the application.
        media = Path(settings.MEDIA_ROOT)
        (media / "original_images").mkdir(parents=True, exist_ok=True)
        (media / "documents").mkdir(parents=True, exist_ok=True)
        (media / "original_images" / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 64)
        (media / "page.html").write_bytes(b"<script>alert(1)</script>")
        (media / "documents" / "private.pdf").write_bytes(b"%PDF-1.7 private")
        status, headers, _ = request(port, "GET", "/media/original_images/photo.png")
        assert status == 200 and "sandbox" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff" and "content-disposition" not in headers
        status, headers, _ = request(port, "GET", "/media/page.html")
        assert status == 200 and headers["content-disposition"] == "attachment"
        assert (
            "sandbox" in headers["content-security-policy"] and headers["x-content-type-options"] == "nosniff"
        )
        status, _, _ = request(port, "GET", "/media/documents/private.pdf")
        assert status == 404

        # Unpublishing removes the file at once: nginx falls back to the application, which answers 404.
        with django_capture_on_commit_callbacks(execute=True):
            ArticlePage.objects.get(pk=article.pk).unpublish()
        assert not published.exists()
        time.sleep(1.1)  # nginx re-checks the files it keeps open every second
        status, headers, _ = request(port, "GET", article.url)
        assert status == 404 and "x-cache" not in headers
        status, headers, body = request(port, "GET", county["news"].url)
        assert headers["x-cache"] == "STATIC" and "县政府召开常务会议" not in body.decode()
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
