"""Apply an electronic seal (GB/T 38540-2020 v4) to an OFD (GB/T 33190-2016 §18), or detached to any file.

The OFD gains::

    OFD.xml                               DocBody/Signatures → Doc_0/Signs/Signatures.xml
    Doc_0/Signs/Signatures.xml            one Signature, Type="Seal"
    Doc_0/Signs/Sign_0/Signature.xml      SignedInfo: Provider, SignatureMethod, SignatureDateTime,
                                          References (SM3, one per protected file), StampAnnot, Seal
    Doc_0/Signs/Sign_0/Seal.esl           DER SESeal
    Doc_0/Signs/Sign_0/SignedValue.dat    DER SES_Signature, dataHash = SM3(Signature.xml), propertyInfo = its path

Every file of the package is protected except the three that describe the signature itself. The seal is placed
over the 成文日期 of the last page that carries one, its centre a little above the date, as GB/T 9704-2012 asks
(署名和成文日期居印章中心偏下).
"""

from __future__ import annotations

import base64
import datetime
import io
import re
import zipfile

from lxml import etree

from . import sm2
from .certs import parse_certificate
from .ses import CHINA, SES_Signature, SESeal, build_seal, build_signature
from .signer import SealError, SealSpec, Signer

OFD_NS = "http://www.ofdspec.org/2016"
NSMAP = {"ofd": OFD_NS}
SIGN_DIR = "Signs/Sign_0"
SIGNATURES = "Signs/Signatures.xml"
PROVIDER = "zhengwu"
DATE_TEXT = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$")
SEAL_ABOVE_DATE_MM = 4.0


def _q(tag: str) -> str:
    return f"{{{OFD_NS}}}{tag}"


def _num(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".") or "0"


def _xml(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _prepare(
    spec: SealSpec, signer: Signer, maker: Signer | None, now: datetime.datetime
) -> tuple[SESeal, bytes]:
    """The seal to apply and the signer's certificate, after checking both are valid at ``now``."""
    spec.check_valid_on(now.astimezone(CHINA).date())
    signer_cert = signer.certificate()
    info = parse_certificate(signer_cert)
    if not info.not_before <= now <= info.not_after:
        raise SealError(
            f"签章者证书“{info.subject}”的有效期为 {info.not_before:%Y-%m-%d} 至 {info.not_after:%Y-%m-%d}，"
            "当前不在有效期内，不能签章。"
        )
    maker = maker or signer
    seal = build_seal(
        es_id=spec.es_id,
        name=spec.name,
        seal_type=spec.seal_type,
        picture=spec.png(),
        picture_type="PNG",
        width_mm=spec.width_mm,
        height_mm=spec.height_mm,
        valid_from=spec.valid_from,
        valid_to=spec.valid_to,
        signer_certs=[signer_cert],
        maker_cert=maker.certificate(),
        maker_sign=maker.sign,
        created=now,
    )
    return seal, signer_cert


def detached_property(name: str) -> str:
    """The ASCII form of a file name for ``TBS_Sign.propertyInfo`` (IA5String)."""
    from urllib.parse import quote

    return quote(name)


def sign_detached(
    data: bytes,
    *,
    spec: SealSpec,
    signer: Signer,
    property_info: str,
    maker: Signer | None = None,
    now: datetime.datetime | None = None,
) -> bytes:
    """DER SES_Signature over SM3(``data``): the detached seal written next to a PDF as ``FILE.pdf.sig``.

    ``property_info`` (the PDF's file name) is an IA5String: a name outside ASCII (“示政〔2026〕3号.pdf”) is
    written percent-encoded (RFC 3986), as :func:`detached_property` does for the verifier."""
    now = now or datetime.datetime.now(datetime.UTC)
    seal, signer_cert = _prepare(spec, signer, maker, now)
    signature = build_signature(
        seal=seal,
        data_hash=sm2.sm3(data),
        property_info=detached_property(property_info),
        time_info=now,
        signer_cert=signer_cert,
        sign=signer.sign,
    )
    return signature.dump()


def _date_position(
    files: dict[str, bytes], doc_dir: str, document
) -> tuple[str, tuple[float, float, float, float]]:
    """(page ID, boundary) of the 成文日期: the last text object reading like ``2026年11月30日``."""
    pages = document.findall("ofd:Pages/ofd:Page", NSMAP)
    for page in reversed(pages):
        name = f"{doc_dir}/{page.get('BaseLoc').lstrip('/')}"
        content = etree.fromstring(files[name])
        found = [
            node
            for node in content.iter(_q("TextObject"))
            if DATE_TEXT.match("".join(code.text or "" for code in node.iter(_q("TextCode"))).strip())
        ]
        if found:
            x, y, width, height = (float(v) for v in found[-1].get("Boundary").split())
            return page.get("ID"), (x, y, width, height)
    raise SealError("OFD 中找不到成文日期，无法确定印章位置。")


def sign_ofd(
    ofd: bytes,
    *,
    spec: SealSpec,
    signer: Signer,
    maker: Signer | None = None,
    now: datetime.datetime | None = None,
) -> bytes:
    """The OFD with one electronic seal over the 成文日期 (SealError when the seal or certificate is not valid)."""
    now = now or datetime.datetime.now(datetime.UTC)
    try:
        with zipfile.ZipFile(io.BytesIO(ofd)) as archive:
            files = {info.filename: archive.read(info) for info in archive.infolist() if not info.is_dir()}
        root = etree.fromstring(files["OFD.xml"])
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError):
        raise SealError("不是有效的 OFD 文件（缺少或无法读取 OFD.xml）。") from None
    body = root.find("ofd:DocBody", NSMAP)
    doc_root = (body.findtext("ofd:DocRoot", namespaces=NSMAP) or "").strip().lstrip("/")
    if body.find("ofd:Signatures", NSMAP) is not None:
        raise SealError("该 OFD 已加盖电子签章，不能再次签章。")
    doc_dir = doc_root.rsplit("/", 1)[0]
    document = etree.fromstring(files[doc_root])
    page_id, (x, y, width, height) = _date_position(files, doc_dir, document)

    seal, signer_cert = _prepare(spec, signer, maker, now)
    seal_der = seal.dump()

    etree.SubElement(body, _q("Signatures")).text = f"{doc_dir}/{SIGNATURES}"
    files["OFD.xml"] = _xml(root)
    sign_dir = f"{doc_dir}/{SIGN_DIR}"
    files[f"{sign_dir}/Seal.esl"] = seal_der

    signatures = etree.Element(_q("Signatures"), nsmap=NSMAP)
    etree.SubElement(signatures, _q("MaxSignId")).text = "1"
    etree.SubElement(signatures, _q("Signature"), ID="1", Type="Seal", BaseLoc=f"/{sign_dir}/Signature.xml")
    files[f"{doc_dir}/{SIGNATURES}"] = _xml(signatures)
    unprotected = {f"{doc_dir}/{SIGNATURES}"}

    signature = etree.Element(_q("Signature"), nsmap=NSMAP)
    info = etree.SubElement(signature, _q("SignedInfo"))
    etree.SubElement(info, _q("Provider"), ProviderName=PROVIDER, Version="1.0", Company="zhengwu")
    etree.SubElement(info, _q("SignatureMethod")).text = sm2.SM2_WITH_SM3_OID
    etree.SubElement(info, _q("SignatureDateTime")).text = now.astimezone(datetime.UTC).strftime(
        "%Y%m%d%H%M%SZ"
    )
    references = etree.SubElement(info, _q("References"), CheckMethod=sm2.SM3_OID)
    for name, content in files.items():
        if name in unprotected:
            continue
        reference = etree.SubElement(references, _q("Reference"), FileRef=f"/{name}")
        etree.SubElement(reference, _q("CheckValue")).text = base64.b64encode(sm2.sm3(content)).decode(
            "ascii"
        )
    seal_w, seal_h = float(spec.width_mm), float(spec.height_mm)
    centre_x, centre_y = x + width / 2, y + height / 2 - SEAL_ABOVE_DATE_MM
    boundary = (centre_x - seal_w / 2, centre_y - seal_h / 2, seal_w, seal_h)
    etree.SubElement(
        info, _q("StampAnnot"), ID="1", PageRef=page_id, Boundary=" ".join(_num(v) for v in boundary)
    )
    seal_ref = etree.SubElement(info, _q("Seal"))
    etree.SubElement(seal_ref, _q("BaseLoc")).text = f"/{sign_dir}/Seal.esl"
    etree.SubElement(signature, _q("SignedValue")).text = f"/{sign_dir}/SignedValue.dat"
    signature_xml = _xml(signature)
    files[f"{sign_dir}/Signature.xml"] = signature_xml

    signed: SES_Signature = build_signature(
        seal=seal,
        data_hash=sm2.sm3(signature_xml),
        property_info=f"/{sign_dir}/Signature.xml",
        time_info=now,
        signer_cert=signer_cert,
        sign=signer.sign,
    )
    files[f"{sign_dir}/SignedValue.dat"] = signed.dump()

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()
