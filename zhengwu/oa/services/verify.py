"""Verify electronic seals: an OFD's signatures (GB/T 33190 §18, GB/T 38540 v4) or a PDF's detached ``.sig``.

The result is ``{"valid": bool, "checks": [{"name", "ok", "detail"}]}``; ``name`` is a stable code, ``detail``
Chinese and names the file a failed check is about. What is checked, for each signature:

- ``reference``: each ``Reference``'s SM3 matches its file; ``coverage``: no file of the package is left
  unprotected (a page or resource added after signing);
- ``seal_match``: ``Seal.esl`` is exactly the seal inside the signature;
- ``property_info`` and ``data_hash``: the signature is about this ``Signature.xml``, and SM3 of its bytes matches;
- ``signature``: the 签章者 signature over DER(TBS_Sign) with the key of the certificate it carries;
- ``seal_signature``: the 制章者 signature over the seal with the 制章者 certificate;
- ``seal_header``: ID “ES”, version 4, and TBS_Sign's version equal to the seal's;
- ``seal_validity`` and ``cert_validity``: the signing time within the seal's and the certificate's validity;
- ``cert_list``: the signer's certificate is one the seal lists.

Not checked: certificate chains to a trusted root and revocation (the development key is self-signed; a
certified platform's verification service does those), timestamps.
"""

from __future__ import annotations

import base64
import io
import zipfile
from pathlib import Path

from lxml import etree

from . import sm2
from .certs import CertificateError, parse_certificate
from .ses import (
    CERT_LIST_CERTS,
    SEAL_ID,
    SEAL_VERSION,
    SESError,
    cert_list,
    load_signature,
    seal_to_be_signed,
)

OFD_NS = "http://www.ofdspec.org/2016"
NS = {"ofd": OFD_NS}


class VerifyError(ValueError):
    """Input that is not something to verify (message in Chinese)."""


class _Checks:
    def __init__(self):
        self.items: list[dict] = []

    def add(self, name: str, ok: bool, detail: str) -> bool:
        self.items.append({"name": name, "ok": bool(ok), "detail": detail})
        return bool(ok)

    def result(self) -> dict:
        return {"valid": bool(self.items) and all(item["ok"] for item in self.items), "checks": self.items}


def _check_ses(checks: _Checks, der: bytes, *, data: bytes, data_label: str, property_info: str, where: str):
    """The GB/T 38540 checks of one SES_Signature over ``data``."""
    try:
        signature = load_signature(der)
    except SESError as error:
        checks.add("signed_value", False, f"{where}：{error}")
        return None
    checks.add("signed_value", True, f"{where}：电子签章数据可以解析。")
    tbs = signature["toSign"]
    seal = tbs["eseal"]
    info = seal["eSealInfo"]
    header = info["header"]

    stated = tbs["propertyInfo"].native
    checks.add(
        "property_info",
        stated == property_info,
        f"{where}：签章所指的文件为 {stated}"
        + ("。" if stated == property_info else f"，而不是 {property_info}。"),
    )
    ok = sm2.sm3(data) == tbs["dataHash"].native
    checks.add(
        "data_hash",
        ok,
        f"{data_label} 的 SM3 杂凑值与签章数据中的 dataHash {'一致' if ok else '不一致：该文件在签章后被修改'}。",
    )

    ok = (
        header["ID"].native == SEAL_ID
        and header["version"].native == SEAL_VERSION
        and tbs["version"].native == header["version"].native
    )
    checks.add(
        "seal_header",
        ok,
        f"{where}：印章头 ID “{header['ID'].native}”、版本 {header['version'].native}、签章版本 "
        f"{tbs['version'].native}" + ("。" if ok else "，应为 “ES”、4、4。"),
    )

    time_info = tbs["timeInfo"].native
    signer_der = signature["cert"].native
    try:
        signer = parse_certificate(signer_der)
    except CertificateError as error:
        checks.add("signature", False, f"{where}：签章者证书无法读取：{error}")
        signer = None
    if signer is not None:
        ok = signature["signatureAlgID"].dotted == sm2.SM2_WITH_SM3_OID and sm2.verify(
            signer.public_key, tbs.dump(), signature["signature"].native
        )
        checks.add(
            "signature",
            ok,
            f"{where}：签章者“{signer.subject}”的 SM2 签名"
            + ("有效。" if ok else "无效：签章数据在签名后被修改。"),
        )
        ok = signer.not_before <= time_info <= signer.not_after
        checks.add(
            "cert_validity",
            ok,
            f"{where}：签章时间 {time_info:%Y-%m-%d %H:%M:%S} UTC "
            + ("在" if ok else "不在")
            + f"签章者证书有效期（{signer.not_before:%Y-%m-%d} 至 {signer.not_after:%Y-%m-%d}）内。",
        )

    try:
        maker = parse_certificate(seal["cert"].native)
        ok = seal["signAlgID"].dotted == sm2.SM2_WITH_SM3_OID and sm2.verify(
            maker.public_key,
            seal_to_be_signed(info, seal["cert"].native),
            seal["signedValue"].native,
        )
        checks.add(
            "seal_signature",
            ok,
            f"{where}：制章者“{maker.subject}”对印章“{info['property']['name'].native}”的签名"
            + ("有效。" if ok else "无效：印章数据被修改。"),
        )
    except CertificateError as error:
        checks.add("seal_signature", False, f"{where}：制章者证书无法读取：{error}")

    start, end = info["property"]["validStart"].native, info["property"]["validEnd"].native
    ok = start <= time_info <= end
    checks.add(
        "seal_validity",
        ok,
        f"{where}：签章时间 {time_info:%Y-%m-%d %H:%M:%S} UTC " + ("在" if ok else "不在") + "印章有效期"
        f"（{start:%Y-%m-%d %H:%M:%S} 至 {end:%Y-%m-%d %H:%M:%S} UTC）内。",
    )
    try:
        kind, entries = cert_list(seal)
        if kind == CERT_LIST_CERTS:
            ok = signer_der in entries
        else:
            ok = sm2.sm3(signer_der) in entries
        checks.add(
            "cert_list",
            ok,
            f"{where}：签章者证书" + ("在" if ok else "不在") + "印章的证书列表中。",
        )
    except SESError as error:
        checks.add("cert_list", False, f"{where}：{error}")
    return signature


def _open_ofd(data: bytes) -> dict[str, bytes]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            files = {info.filename: archive.read(info) for info in archive.infolist() if not info.is_dir()}
    except (zipfile.BadZipFile, OSError):
        raise VerifyError("不是 OFD 文件（无法作为 ZIP 包打开）。") from None
    if "OFD.xml" not in files:
        raise VerifyError("不是 OFD 文件（包中没有 OFD.xml）。")
    return files


def _path(base: str, ref: str) -> str:
    """A path in the package: absolute (``/Doc_0/…``) or relative to ``base``'s folder."""
    if ref.startswith("/"):
        return ref.lstrip("/")
    folder = base.rsplit("/", 1)[0] if "/" in base else ""
    return f"{folder}/{ref}" if folder else ref


def verify_ofd(data: bytes) -> dict:
    files = _open_ofd(data)
    checks = _Checks()
    try:
        root = etree.fromstring(files["OFD.xml"])
    except etree.XMLSyntaxError:
        raise VerifyError("不是 OFD 文件（OFD.xml 不是有效的 XML）。") from None
    listed = [node.text.strip() for node in root.iterfind("ofd:DocBody/ofd:Signatures", NS) if node.text]
    if not listed:
        checks.add("signatures", False, "OFD.xml 中没有电子签章（DocBody/Signatures）。")
        return checks.result()
    for signatures_path in listed:
        signatures_path = signatures_path.lstrip("/")
        if signatures_path not in files:
            checks.add("signatures", False, f"签章列表文件 /{signatures_path} 不存在。")
            continue
        try:
            entries = etree.fromstring(files[signatures_path]).findall("ofd:Signature", NS)
        except etree.XMLSyntaxError:
            checks.add("signatures", False, f"签章列表文件 /{signatures_path} 不是有效的 XML。")
            continue
        if not entries:
            checks.add("signatures", False, f"签章列表文件 /{signatures_path} 中没有签章。")
        for entry in entries:
            _verify_one(checks, files, _path(signatures_path, entry.get("BaseLoc") or ""), {signatures_path})
    return checks.result()


def _verify_one(checks: _Checks, files: dict[str, bytes], signature_path: str, unprotected: set[str]) -> None:
    where = f"/{signature_path}"
    if signature_path not in files:
        checks.add("signature_xml", False, f"签章描述文件 {where} 不存在。")
        return
    raw = files[signature_path]
    try:
        node = etree.fromstring(raw)
        info = node.find("ofd:SignedInfo", NS)
        value_path = _path(signature_path, node.findtext("ofd:SignedValue", namespaces=NS).strip())
        references = info.find("ofd:References", NS)
        method = references.get("CheckMethod") or ""
        seal_loc = info.findtext("ofd:Seal/ofd:BaseLoc", namespaces=NS)
        seal_path = _path(signature_path, seal_loc.strip()) if seal_loc else None
        listed = [(ref.get("FileRef"), ref.findtext("ofd:CheckValue", namespaces=NS)) for ref in references]
        checks.add("signature_xml", True, f"签章描述文件 {where} 可以解析。")
    except (etree.XMLSyntaxError, AttributeError):
        checks.add(
            "signature_xml", False, f"签章描述文件 {where} 不是有效的签章描述（XML 损坏或缺少必需元素）。"
        )
        value_path = _path(signature_path, "SignedValue.dat")
        method, seal_path, listed = sm2.SM3_OID, _path(signature_path, "Seal.esl"), []
    unprotected = unprotected | {signature_path, value_path}

    if method not in (sm2.SM3_OID, "SM3"):
        checks.add("reference", False, f"{where}：杂凑算法 {method} 不受支持（应为 SM3）。")
    covered = set()
    for file_ref, check_value in listed:
        name = _path(signature_path, (file_ref or "").strip())
        covered.add(name)
        if name not in files:
            checks.add("reference", False, f"受保护的文件 /{name} 不存在。")
            continue
        try:
            expected = base64.b64decode((check_value or "").strip(), validate=True)
        except ValueError:
            expected = b""
        ok = sm2.sm3(files[name]) == expected
        checks.add(
            "reference",
            ok,
            f"文件 /{name} 的杂凑值" + ("与签章时一致。" if ok else "与签章时不一致：该文件在签章后被修改。"),
        )
    extra = sorted(name for name in files if name not in covered and name not in unprotected)
    checks.add(
        "coverage",
        not extra,
        "包中的文件均受签章保护。"
        if not extra
        else "以下文件不受签章保护（签章后加入）：" + "、".join(f"/{n}" for n in extra),
    )

    if value_path not in files:
        checks.add("signed_value", False, f"签名值文件 /{value_path} 不存在。")
        return
    signature = _check_ses(
        checks,
        files[value_path],
        data=raw,
        data_label=where,
        property_info=where,
        where=f"/{value_path}",
    )
    if signature is None:
        return
    if seal_path is not None:
        seal_file = files.get(seal_path)
        ok = seal_file is not None and seal_file == signature["toSign"]["eseal"].dump()
        checks.add(
            "seal_match",
            ok,
            f"印章文件 /{seal_path} "
            + ("与签章数据中的印章一致。" if ok else "与签章数据中的印章不一致（缺失或被修改）。"),
        )


def verify_detached(data: bytes, signature: bytes, *, name: str) -> dict:
    """A file and its detached SES_Signature (``FILE.pdf`` and ``FILE.pdf.sig``)."""
    checks = _Checks()
    from .ofd_sign import detached_property

    _check_ses(
        checks,
        signature,
        data=data,
        data_label=name,
        property_info=detached_property(name),
        where=f"{name}.sig",
    )
    return checks.result()


def verify_path(path: Path) -> dict:
    """Verify ``FILE.ofd`` or ``FILE.pdf`` (with ``FILE.pdf.sig`` beside it); VerifyError for bad input."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise VerifyError(f"找不到文件：{path}") from None
    except OSError as error:
        raise VerifyError(f"无法读取文件 {path}：{error.strerror or error}") from None
    if data.startswith(b"%PDF-"):
        sig_path = path.with_name(path.name + ".sig")
        try:
            signature = sig_path.read_bytes()
        except FileNotFoundError:
            checks = _Checks()
            checks.add(
                "signed_value", False, f"找不到签章文件 {sig_path.name}（PDF 的电子签章与 PDF 放在一起）。"
            )
            return checks.result()
        except OSError as error:
            raise VerifyError(f"无法读取签章文件 {sig_path}：{error.strerror or error}") from None
        return verify_detached(data, signature, name=path.name)
    if data.startswith(b"PK"):
        return verify_ofd(data)
    raise VerifyError(f"不是 OFD 或 PDF 文件：{path}")
