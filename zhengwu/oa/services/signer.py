"""Who signs: the ``Signer`` interface, a development key in software, and a provincial seal platform over HTTP.

Settings:
- ``ZHENGWU_OA_SIGNER``: ``"software"`` (default) or ``"http"``.
- ``ZHENGWU_OA_SIGNER_URL`` and ``ZHENGWU_OA_SIGNER_TOKEN``: the HTTP signer's endpoint and bearer token.

Software keys are for development and tests only. Seals with legal effect are applied by a 国密局-certified crypto
device or by the provincial seal platform, reached through ``HttpSigner``.

``HttpSigner`` protocol (JSON over HTTPS, ``Authorization: Bearer <token>``):
- ``{"action": "certificate"}`` → ``{"certificate": base64 DER X.509}``
- ``{"action": "sign", "algorithm": "1.2.156.10197.1.501", "data": base64, "data_sm3": hex}`` →
  ``{"signature": base64 DER SEQUENCE{r, s}}``: an SM2-with-SM3 signature of ``data`` (default ID). The data to be
  signed is a seal's or a TBS_Sign's DER (a few kilobytes); its SM3 digest is sent too, for the platform's log.
  Every answer is checked against the certificate's key before it is used.
"""

from __future__ import annotations

import base64
import datetime
import io
import json
import math
import os
import subprocess
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import sm2
from .certs import build_certificate, parse_certificate

DEV_SUBJECT = "zhengwu 开发测试用印章密钥（非法定效力）"
DEV_KEY_VALID_DAYS = 3650


class SealError(ValueError):
    """A seal that cannot be applied (message in Chinese)."""


@dataclass(frozen=True)
class SealSpec:
    """One seal: what the seal registry will hand to the signing services."""

    es_id: str
    name: str
    holder: str  # the organization the seal belongs to
    valid_from: datetime.date
    valid_to: datetime.date
    image: bytes | None = None  # PNG; a default red round seal is drawn when absent
    width_mm: int = 42
    height_mm: int = 42
    seal_type: int = 1  # 1 单位印章

    def png(self) -> bytes:
        return self.image if self.image else default_seal_png(self.holder, self.name)

    def check_valid_on(self, day: datetime.date) -> None:
        if not self.valid_from <= day <= self.valid_to:
            raise SealError(
                f"印章“{self.name}”（{self.es_id}）的有效期为 {self.valid_from.isoformat()} 至 "
                f"{self.valid_to.isoformat()}，{day.isoformat()} 不在有效期内，不能签章。"
            )


class Signer(ABC):
    """Holds a signing key somewhere and never hands it out."""

    name: str = ""

    @abstractmethod
    def certificate(self) -> bytes:
        """The signer's X.509 certificate, DER."""

    @abstractmethod
    def sign(self, data: bytes) -> bytes:
        """DER SM2-with-SM3 signature (default ID) of ``data``."""


class SoftwareSigner(Signer):
    """A development SM2 key kept in a JSON file (mode 0600) under the data directory, made on first use."""

    name = "software"

    def __init__(self, key_file: Path | str | None = None):
        if key_file is None:
            from django.conf import settings

            key_file = Path(settings.DATA_DIR) / "oa" / "dev-seal-key.json"
        self._path = Path(key_file)
        self.__private_key, self._public_key, self._certificate = self._load_or_create()

    def _load_or_create(self) -> tuple[int, bytes, bytes]:
        if not self._path.exists():
            private_key = sm2.generate_private_key()
            public_key = sm2.public_key_of(private_key)
            now = datetime.datetime.now(datetime.UTC)
            certificate = build_certificate(
                public_key=public_key,
                subject_cn=DEV_SUBJECT,
                organization="zhengwu",
                not_before=now - datetime.timedelta(days=1),
                not_after=now + datetime.timedelta(days=DEV_KEY_VALID_DAYS),
                sign=lambda data: sm2.sign(private_key, public_key, data),
            )
            record = {
                "note": "开发测试用 SM2 密钥，不具有法定效力；正式印章须使用国密局认证的密码设备或省级签章平台。",
                "private_key": f"{private_key:064x}",
                "certificate": base64.b64encode(certificate).decode("ascii"),
            }
            self._path.parent.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(self._path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass  # another process made it first: read theirs
            else:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    json.dump(record, handle, ensure_ascii=False, indent=2)
        try:
            record = json.loads(self._path.read_text(encoding="utf-8"))
            private_key = int(record["private_key"], 16)
            certificate = base64.b64decode(record["certificate"])
            public_key = parse_certificate(certificate).public_key
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise SealError(f"无法读取开发测试用签章密钥文件 {self._path}：{error}") from None
        if sm2.public_key_of(private_key) != public_key:
            raise SealError(f"开发测试用签章密钥文件 {self._path} 中的私钥与证书不符。")
        return private_key, public_key, certificate

    def certificate(self) -> bytes:
        return self._certificate

    def sign(self, data: bytes) -> bytes:
        return sm2.sign(self.__private_key, self._public_key, data)

    def __repr__(self) -> str:
        return f"SoftwareSigner({str(self._path)!r})"


def _post_json(url: str, token: str, payload: dict, timeout: float) -> dict:
    import httpx

    response = httpx.post(url, json=payload, headers={"Authorization": f"Bearer {token}"}, timeout=timeout)
    response.raise_for_status()
    return response.json()


class HttpSigner(Signer):
    """The provincial seal platform or a certified signing device behind an HTTPS endpoint (protocol above)."""

    name = "http"

    def __init__(
        self,
        url: str,
        token: str = "",
        *,
        timeout: float = 30.0,
        transport: Callable[[dict], dict] | None = None,
    ):
        if not url:
            raise SealError("未配置签章服务地址（ZHENGWU_OA_SIGNER_URL），不能使用外部签章服务。")
        if transport is None and not url.startswith("https://"):
            raise SealError(f"签章服务地址必须使用 HTTPS：{url}")
        self.url = url
        self._token = token
        self._transport = transport or (lambda payload: _post_json(url, token, payload, timeout))
        self._certificate: bytes | None = None

    def _call(self, payload: dict, field: str) -> bytes:
        try:
            answer = self._transport(payload)
            return base64.b64decode(answer[field], validate=True)
        except Exception as error:
            raise SealError(f"签章服务（{self.url}）未返回有效的“{field}”：{error}") from None

    @staticmethod
    def sign_request(data: bytes) -> dict:
        return {
            "action": "sign",
            "algorithm": sm2.SM2_WITH_SM3_OID,
            "data": base64.b64encode(data).decode("ascii"),
            "data_sm3": sm2.sm3(data).hex(),
        }

    def certificate(self) -> bytes:
        if self._certificate is None:
            der = self._call({"action": "certificate"}, "certificate")
            try:
                parse_certificate(der)
            except ValueError as error:
                raise SealError(f"签章服务（{self.url}）返回的证书无效：{error}") from None
            self._certificate = der
        return self._certificate

    def sign(self, data: bytes) -> bytes:
        public_key = parse_certificate(self.certificate()).public_key
        signature = self._call(self.sign_request(data), "signature")
        if not sm2.verify(public_key, data, signature):
            raise SealError(f"签章服务（{self.url}）返回的签名值与其证书不符，已拒绝。")
        return signature


def configured_signer() -> Signer:
    """The signer the settings name (``ZHENGWU_OA_SIGNER``)."""
    from django.conf import settings

    kind = (getattr(settings, "ZHENGWU_OA_SIGNER", "") or "software").strip().lower()
    if kind == "software":
        return SoftwareSigner()
    if kind == "http":
        return HttpSigner(
            getattr(settings, "ZHENGWU_OA_SIGNER_URL", "") or "",
            getattr(settings, "ZHENGWU_OA_SIGNER_TOKEN", "") or "",
        )
    raise SealError(f"设置 ZHENGWU_OA_SIGNER 应为 software 或 http，收到的是“{kind}”。")


def _cjk_font(size: int):
    from PIL import ImageFont

    for pattern in ("Noto Serif CJK SC:bold", "Noto Sans CJK SC:bold", "AR PL UMing CN", "WenQuanYi Zen Hei"):
        try:
            result = subprocess.run(
                ["fc-match", "-f", "%{family}\t%{file}\t%{index}", pattern],
                capture_output=True,
                text=True,
                timeout=10,
                check=True,
            )
            family, path, index = result.stdout.split("\t")
        except (OSError, subprocess.SubprocessError, ValueError):
            continue
        if pattern.split(":")[0].lower() in family.lower():
            return ImageFont.truetype(path, size, index=int(index or 0))
    return None


def default_seal_png(holder: str, name: str = "", size_px: int = 496) -> bytes:
    """A red round seal (about 42 mm at 300 dpi): a ring, the holder's name along the upper arc, a five-pointed
    star, and the seal's name below it. Without a CJK font on the machine only the ring and the star are drawn."""
    from PIL import Image, ImageDraw

    red = (230, 0, 18, 255)
    image = Image.new("RGBA", (size_px, size_px), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    centre = size_px / 2
    ring = size_px * 0.035
    draw.ellipse((ring / 2, ring / 2, size_px - ring / 2, size_px - ring / 2), outline=red, width=round(ring))
    star_r = size_px * 0.16
    points = []
    for i in range(10):
        radius = star_r if i % 2 == 0 else star_r * 0.382
        angle = math.radians(-90 + i * 36)
        points.append((centre + radius * math.cos(angle), centre + radius * math.sin(angle)))
    draw.polygon(points, fill=red)

    text = holder[:20]
    font = _cjk_font(round(size_px * 0.11)) if text else None
    if font is not None:
        # Characters along the upper arc, from about 8 o'clock to 4 o'clock, each upright to the centre.
        span = min(240.0, 20.0 * len(text))
        radius = centre - ring - size_px * 0.09
        for i, char in enumerate(text):
            angle = -90 - span / 2 + (span * (i + 0.5) / len(text))
            glyph = Image.new("RGBA", (font.size * 2, font.size * 2), (0, 0, 0, 0))
            ImageDraw.Draw(glyph).text((font.size, font.size), char, font=font, fill=red, anchor="mm")
            glyph = glyph.rotate(-(angle + 90), resample=Image.BICUBIC)
            x = centre + radius * math.cos(math.radians(angle)) - glyph.width / 2
            y = centre + radius * math.sin(math.radians(angle)) - glyph.height / 2
            image.alpha_composite(glyph, (round(x), round(y)))
        if name:
            small = _cjk_font(round(size_px * 0.08))
            draw.text((centre, centre + size_px * 0.27), name[:10], font=small, fill=red, anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def seal_spec_for(holder: str, code: str, signer: Signer) -> SealSpec:
    """The seal used until the seal registry names one: the organization's 公文专用章, valid while the signer's
    certificate is, with the default picture. ``code`` is the 统一社会信用代码 when known."""
    info = parse_certificate(signer.certificate())
    return SealSpec(
        es_id=f"{code or 'ZW'}{'DEV' if signer.name == 'software' else ''}0001",
        name="公文专用章",
        holder=holder,
        valid_from=info.not_before.astimezone(_CHINA).date(),
        valid_to=info.not_after.astimezone(_CHINA).date(),
    )


_CHINA = datetime.timezone(datetime.timedelta(hours=8), "Asia/Shanghai")
