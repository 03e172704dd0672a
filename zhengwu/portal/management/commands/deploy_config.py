"""Write the production configuration (nginx site, systemd units, environment file) with this installation's paths
filled in, from the templates in ``deploy/``."""

from __future__ import annotations

import ipaddress
import multiprocessing
import os
import re
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.template import Context, Engine
from django.utils.crypto import get_random_string

_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$"
)
# Letters and digits only: the environment file is read by systemd and by shells.
SECRET_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
# (template below deploy/, file written to --out, file mode)
OUTPUTS = [
    ("nginx/zhengwu.conf.tmpl", "nginx-zhengwu.conf", 0o644),
    ("systemd/zhengwu.service.tmpl", "zhengwu.service", 0o644),
    ("systemd/zhengwu-worker.service.tmpl", "zhengwu-worker.service", 0o644),
    ("systemd/zhengwu-scheduler.service.tmpl", "zhengwu-scheduler.service", 0o644),
    ("zhengwu.env.tmpl", "zhengwu.env", 0o600),
]


def deploy_dir() -> Path:
    return Path(settings.PROJECT_DIR) / "deploy"


def _valid_server_name(name: str) -> bool:
    if name == "_":
        return True
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        return bool(_HOSTNAME.match(name))


def _parse_listen(value: str) -> tuple[str, int]:
    """ "80", "8080" or "127.0.0.1:8080" -> (listen directive value, port)."""
    address, _, port_text = value.rpartition(":")
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise CommandError(f"监听地址无效：{value}（应为端口号，或“地址:端口”）。")
    if address:
        try:
            ipaddress.ip_address(address.strip("[]"))
        except ValueError as exc:
            raise CommandError(f"监听地址无效：{value}（地址应为 IP 地址）。") from exc
    return value, int(port_text)


def render_configuration(context: dict) -> dict[str, str]:
    """The configuration files' contents by output name."""
    engine = Engine(autoescape=False)
    base = deploy_dir()
    files = {}
    for template_name, output_name, _ in OUTPUTS:
        path = base / template_name
        if not path.is_file():
            raise CommandError(f"找不到配置模板 {path}：请在项目目录（含 deploy/）中运行本命令。")
        files[output_name] = engine.from_string(path.read_text(encoding="utf-8")).render(Context(context))
    return files


class Command(BaseCommand):
    help = "生成生产环境配置（nginx 站点、gunicorn 的 systemd 服务、后台任务和定时任务服务、环境变量文件），路径按本机填写。"

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="输出目录。")
        parser.add_argument(
            "--server-name", action="append", help="nginx 的 server_name（可重复）；默认取各网站的主机名。"
        )
        parser.add_argument("--listen", help="nginx 监听的端口或“地址:端口”（默认 80，启用 HTTPS 时 443）。")
        parser.add_argument("--tls-cert", help="HTTPS 证书文件（与 --tls-key 同时给出）。")
        parser.add_argument("--tls-key", help="HTTPS 私钥文件。")
        parser.add_argument("--ipv6", action="store_true", help="同时监听 IPv6。")
        parser.add_argument(
            "--socket", default="/run/zhengwu/gunicorn.sock", help="gunicorn 的 Unix 套接字路径。"
        )
        parser.add_argument(
            "--upstream", help="nginx 转发到的应用地址“主机:端口”（默认使用上述 Unix 套接字）。"
        )
        parser.add_argument("--user", default="zhengwu", help="运行服务的系统用户（默认 zhengwu）。")
        parser.add_argument(
            "--group", default="zhengwu", help="服务的用户组，nginx 的用户须在其中（默认 zhengwu）。"
        )
        parser.add_argument("--workers", type=int, help="gunicorn 工作进程数（默认 CPU 核数加一，至少 2）。")
        parser.add_argument("--data-dir", help="数据目录（默认当前配置的 ZHENGWU_DATA_DIR）。")
        parser.add_argument("--publish-dir", help="静态发布目录（默认 数据目录/published）。")
        parser.add_argument("--max-age", type=int, default=60, help="浏览器可缓存页面的秒数（默认 60）。")
        parser.add_argument("--force", action="store_true", help="覆盖输出目录中已有的文件。")

    def handle(self, *args, **options):
        out = Path(options["out"]).resolve()
        if bool(options["tls_cert"]) != bool(options["tls_key"]):
            raise CommandError("--tls-cert 和 --tls-key 必须同时给出。")
        tls = bool(options["tls_cert"])
        listen, port = _parse_listen(options["listen"] or ("443" if tls else "80"))
        names = options["server_name"] or self._site_hostnames() or ["_"]
        bad = [name for name in names if not _valid_server_name(name.lower())]
        if bad:
            raise CommandError(f"主机名无效：{'、'.join(bad)}。")
        workers = options["workers"] or max(2, multiprocessing.cpu_count() + 1)
        if not 1 <= workers <= 64:
            raise CommandError("--workers 应在 1 到 64 之间。")
        if options["max_age"] < 0:
            raise CommandError("--max-age 不能为负数。")
        data_dir = Path(options["data_dir"] or settings.DATA_DIR).resolve()
        publish_dir = Path(
            options["publish_dir"] or getattr(settings, "ZHENGWU_PUBLISH_DIR", "") or data_dir / "published"
        ).resolve()
        socket = options["socket"]
        if not socket.startswith("/"):
            raise CommandError("--socket 应为绝对路径。")
        upstream = f"unix:{socket}"
        if options["upstream"]:
            host, _, port_text = options["upstream"].rpartition(":")
            if not host or not port_text.isdigit() or not 0 < int(port_text) < 65536:
                raise CommandError(f"--upstream 无效：{options['upstream']}（应为“主机:端口”）。")
            upstream = options["upstream"]
        for cert_option in ("tls_cert", "tls_key"):
            if tls and not Path(options[cert_option]).is_file():
                self.stderr.write(self.style.WARNING(f"注意：{options[cert_option]} 目前不存在。"))

        public_names = [name for name in names if name != "_"]
        scheme = "https" if tls else "http"
        default_port = 443 if tls else 80
        suffix = "" if port == default_port else f":{port}"
        context = {
            "upstream": upstream,
            "socket": socket,
            "session_cookie": settings.SESSION_COOKIE_NAME,
            "server_names": " ".join(names),
            "listen": listen,
            "port": port,
            "http_listen": "80",
            "http_port": 80,
            "ipv6": options["ipv6"],
            "tls": tls,
            "tls_cert": options["tls_cert"] and str(Path(options["tls_cert"]).resolve()),
            "tls_key": options["tls_key"] and str(Path(options["tls_key"]).resolve()),
            "max_body_mb": max(1, settings.ZHENGWU_UPLOAD_MAX_BYTES // (1024 * 1024) + 1),
            "max_age": options["max_age"],
            "static_root": Path(settings.STATIC_ROOT).resolve(),
            "media_root": Path(settings.MEDIA_ROOT).resolve(),
            "publish_dir": publish_dir,
            "data_dir": data_dir,
            "project_dir": Path(settings.PROJECT_DIR).resolve(),
            "venv": Path(sys.prefix).resolve(),
            "env_file": out / "zhengwu.env",
            "user": options["user"],
            "group": options["group"],
            "workers": workers,
            "secret_key": get_random_string(64, allowed_chars=SECRET_CHARS),
            "allowed_hosts": ",".join(public_names) or "127.0.0.1,localhost",
            "base_url": f"{scheme}://{public_names[0]}{suffix}"
            if public_names
            else f"{scheme}://127.0.0.1{suffix}",
            "ssl_redirect": "1" if tls else "0",
            "scheme": scheme,
            "database_url": os.environ.get("DATABASE_URL", ""),
            "redis_url": os.environ.get("REDIS_URL", ""),
        }
        files = render_configuration(context)

        existing = [name for name in files if (out / name).exists()]
        if existing and not options["force"]:
            raise CommandError(
                f"输出目录中已有 {'、'.join(existing)}：确认覆盖请加 --force（会生成新的密钥）。"
            )
        out.mkdir(parents=True, exist_ok=True)
        for _, output_name, mode in OUTPUTS:
            path = out / output_name
            path.write_text(files[output_name], encoding="utf-8")
            path.chmod(mode)
        self.stdout.write(self.style.SUCCESS(f"已生成配置：{out}"))
        for _, output_name, _ in OUTPUTS:
            self.stdout.write(f"  {out / output_name}")
        self._warn_about_site_ports(port)
        self.stdout.write("安装步骤见 deploy/README.md。")

    def _warn_about_site_ports(self, port: int) -> None:
        """Absolute URLs in pages (meta tags, QR code) carry the site's port: it should be the one nginx answers."""
        from wagtail.models import Site

        for site in Site.objects.exclude(port__in={80, 443, port}).order_by("hostname"):
            self.stderr.write(
                self.style.WARNING(
                    f"注意：网站“{site.site_name}”（{site.hostname}）的端口为 {site.port}，与 nginx 的端口 {port} 不一致；"
                    "请在管理后台“设置 → 网站”中修改。"
                )
            )

    def _site_hostnames(self) -> list[str]:
        from wagtail.models import Site

        names = []
        for hostname in Site.objects.order_by("-is_default_site", "hostname").values_list(
            "hostname", flat=True
        ):
            if hostname.lower() not in names:
                names.append(hostname.lower())
        return names
