"""Electronic seals: SM3/SM2 against the standard's vectors and a second implementation, certificates and the
GB/T 38540 v4 structures read back, a signed OFD that verifies, and each signed part changed by one byte failing the
check that protects it; the detached PDF seal; the signers; the CLI."""

from __future__ import annotations

import base64
import datetime
import io
import json
import os
import stat
import zipfile

import gmalg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from lxml import etree

from zhengwu.oa.services import sm2
from zhengwu.oa.services.certs import build_certificate, parse_certificate
from zhengwu.oa.services.document import parse_document
from zhengwu.oa.services.ofd_sign import sign_detached, sign_ofd
from zhengwu.oa.services.render_ofd import render_ofd
from zhengwu.oa.services.ses import SESeal, build_seal, build_signature, load_seal, load_signature
from zhengwu.oa.services.signer import (
    DEV_SUBJECT,
    HttpSigner,
    SealError,
    SealSpec,
    SoftwareSigner,
    default_seal_png,
)
from zhengwu.oa.services.verify import VerifyError, verify_detached, verify_ofd, verify_path

from .fixtures import request_document, variant

NS = {"ofd": "http://www.ofdspec.org/2016"}
SIGN = "Doc_0/Signs/Sign_0"


def spec(**changes) -> SealSpec:
    values = {
        "es_id": "11339900MB0000000Q0001",
        "name": "公文专用章",
        "holder": "示范县农业农村局",
        "valid_from": datetime.date(2026, 1, 1),
        "valid_to": datetime.date(2099, 12, 31),
    }
    values.update(changes)
    return SealSpec(**values)


@pytest.fixture(scope="module")
def signer(tmp_path_factory):
    return SoftwareSigner(tmp_path_factory.mktemp("keys") / "dev-seal-key.json")


@pytest.fixture(scope="module")
def signed_ofd(signer):
    return sign_ofd(render_ofd(parse_document(request_document())), spec=spec(), signer=signer)


def files_of(ofd: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(ofd)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def repack(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def failed(result: dict) -> list[dict]:
    return [check for check in result["checks"] if not check["ok"]]


# SM3 and SM2


def test_sm3_vectors():
    assert sm2.sm3(b"abc").hex() == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert sm2.sm3(b"abcd" * 16).hex() == "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"


def test_sm2_round_trip_and_changed_message():
    private_key = sm2.generate_private_key()
    public_key = sm2.public_key_of(private_key)
    signature = sm2.sign(private_key, public_key, "示范县农业农村局".encode())
    assert signature[0] == 0x30 and 70 <= len(signature) <= 72  # DER SEQUENCE{r, s}
    assert sm2.verify(public_key, "示范县农业农村局".encode(), signature)
    assert not sm2.verify(public_key, "示范县农业农村厅".encode(), signature)
    other = sm2.public_key_of(sm2.generate_private_key())
    assert not sm2.verify(other, "示范县农业农村局".encode(), signature)
    assert not sm2.verify(public_key, "示范县农业农村局".encode(), signature + b"\x00")  # trailing bytes


def test_sm2_agrees_with_an_independent_implementation():
    """gmalg (a separate pure-Python SM2) verifies our DER signatures, and we verify its, with the default ID."""
    for _ in range(5):
        private_key = sm2.generate_private_key()
        public_key = sm2.public_key_of(private_key)
        theirs = gmalg.SM2(sk=private_key.to_bytes(32, "big"), uid=sm2.DEFAULT_ID)
        assert theirs.generate_pk(private_key.to_bytes(32, "big")) == b"\x04" + public_key
        message = os.urandom(100)
        r, s = sm2.decode_signature(sm2.sign(private_key, public_key, message))
        verifier = gmalg.SM2(pk=b"\x04" + public_key, uid=sm2.DEFAULT_ID)
        assert verifier.verify(message, r.to_bytes(32, "big"), s.to_bytes(32, "big"))
        assert not verifier.verify(message + b"!", r.to_bytes(32, "big"), s.to_bytes(32, "big"))
        r2, s2 = theirs.sign(message)
        assert sm2.verify(
            public_key, message, sm2.encode_signature(int.from_bytes(r2, "big"), int.from_bytes(s2, "big"))
        )


def test_nonce_is_never_reused():
    private_key = sm2.generate_private_key()
    public_key = sm2.public_key_of(private_key)
    rs = [sm2.decode_signature(sm2.sign(private_key, public_key, b"same message"))[0] for _ in range(60)]
    assert len(set(rs)) == len(rs)


def test_out_of_range_signature_values_are_refused():
    private_key = sm2.generate_private_key()
    public_key = sm2.public_key_of(private_key)
    r, s = sm2.decode_signature(sm2.sign(private_key, public_key, b"m"))
    assert not sm2.verify(public_key, b"m", sm2.encode_signature(r, s + sm2.N))
    assert not sm2.verify(public_key, b"m", sm2.encode_signature(0, s))


# Certificates and SES structures


def test_certificate_round_trip():
    private_key = sm2.generate_private_key()
    public_key = sm2.public_key_of(private_key)
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    der = build_certificate(
        public_key=public_key,
        subject_cn=DEV_SUBJECT,
        organization="zhengwu",
        not_before=start,
        not_after=start + datetime.timedelta(days=365),
        sign=lambda data: sm2.sign(private_key, public_key, data),
    )
    info = parse_certificate(der)
    assert info.public_key == public_key
    assert info.subject == DEV_SUBJECT == info.issuer
    assert (info.not_before, info.not_after) == (start, start + datetime.timedelta(days=365))
    assert info.signature_algorithm == "1.2.156.10197.1.501"
    assert sm2.verify(public_key, info.tbs, info.signature)  # self-signed


def test_ses_structures_round_trip(signer):
    picture = default_seal_png("示范县农业农村局", "公文专用章")
    assert picture.startswith(b"\x89PNG")
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    seal = build_seal(
        es_id="ES-1",
        name="公文专用章",
        seal_type=1,
        picture=picture,
        picture_type="PNG",
        width_mm=42,
        height_mm=42,
        valid_from=datetime.date(2026, 1, 1),
        valid_to=datetime.date(2099, 12, 31),
        signer_certs=[signer.certificate()],
        maker_cert=signer.certificate(),
        maker_sign=signer.sign,
        created=now,
    )
    again = load_seal(seal.dump())
    assert again.dump() == seal.dump()
    info = again["eSealInfo"]
    assert (info["header"]["ID"].native, info["header"]["version"].native) == ("ES", 4)
    assert info["esID"].native == "ES-1"
    assert info["property"]["name"].native == "公文专用章"
    assert info["picture"]["data"].native == picture
    # validity dates are Beijing calendar days
    assert info["property"]["validStart"].native == datetime.datetime(2025, 12, 31, 16, tzinfo=datetime.UTC)

    signature = build_signature(
        seal=seal,
        data_hash=sm2.sm3(b"data"),
        property_info="/Doc_0/Signs/Sign_0/Signature.xml",
        time_info=now,
        signer_cert=signer.certificate(),
        sign=signer.sign,
    )
    parsed = load_signature(signature.dump())
    assert parsed.dump() == signature.dump()
    assert parsed["toSign"]["eseal"].dump() == seal.dump()
    assert parsed["toSign"]["timeInfo"].native == now
    assert parsed["signatureAlgID"].dotted == "1.2.156.10197.1.501"
    result = verify_detached(b"data", signature.dump(), name="/Doc_0/Signs/Sign_0/Signature.xml")
    assert result["valid"], failed(result)
    assert isinstance(parsed["toSign"]["eseal"], SESeal)


# OFD


def test_signed_ofd_structure_and_verification(signed_ofd):
    files = files_of(signed_ofd)
    root = etree.fromstring(files["OFD.xml"])
    assert root.findtext("ofd:DocBody/ofd:Signatures", namespaces=NS) == "Doc_0/Signs/Signatures.xml"
    signature = etree.fromstring(files[f"{SIGN}/Signature.xml"])
    info = signature.find("ofd:SignedInfo", NS)
    assert info.findtext("ofd:SignatureMethod", namespaces=NS) == "1.2.156.10197.1.501"
    references = info.find("ofd:References", NS)
    assert references.get("CheckMethod") == "1.2.156.10197.1.401"
    protected = {ref.get("FileRef") for ref in references}
    pages = [n for n in files if n.endswith("/Content.xml")]
    assert len(pages) >= 3
    assert {f"/{p}" for p in pages} | {"/Doc_0/Document.xml", f"/{SIGN}/Seal.esl", "/OFD.xml"} <= protected
    for ref in references:
        value = base64.b64decode(ref.findtext("ofd:CheckValue", namespaces=NS))
        assert value == sm2.sm3(files[ref.get("FileRef").lstrip("/")])

    # the seal sits on the last page, over the 成文日期
    stamp = info.find("ofd:StampAnnot", NS)
    document = etree.fromstring(files["Doc_0/Document.xml"])
    last_page = document.findall("ofd:Pages/ofd:Page", NS)[-1]
    assert stamp.get("PageRef") == last_page.get("ID")
    x, y, w, h = (float(v) for v in stamp.get("Boundary").split())
    assert (w, h) == (42, 42)
    content = etree.fromstring(files["Doc_0/" + last_page.get("BaseLoc")])
    date = next(
        node for node in content.iter("{*}TextObject") if "".join(node.itertext()).strip() == "2026年11月30日"
    )
    dx, dy, dw, dh = (float(v) for v in date.get("Boundary").split())
    assert x < dx + dw / 2 < x + w and y < dy + dh / 2 < y + h

    value = load_signature(files[f"{SIGN}/SignedValue.dat"])
    assert value["toSign"]["propertyInfo"].native == f"/{SIGN}/Signature.xml"
    assert value["toSign"]["dataHash"].native == sm2.sm3(files[f"{SIGN}/Signature.xml"])
    assert files[f"{SIGN}/Seal.esl"] == value["toSign"]["eseal"].dump()

    result = verify_ofd(signed_ofd)
    assert result["valid"], failed(result)
    names = {check["name"] for check in result["checks"]}
    assert {
        "reference",
        "coverage",
        "seal_match",
        "data_hash",
        "signature",
        "seal_signature",
        "seal_header",
        "seal_validity",
        "cert_validity",
        "cert_list",
    } <= names


def _flip(content: bytes, index: int) -> bytes:
    return content[:index] + bytes([content[index] ^ 0x01]) + content[index + 1 :]


def _tamper_cases(signed: bytes):
    files = files_of(signed)
    pages = sorted(n for n in files if n.endswith("/Content.xml"))
    cases = [(page, len(files[page]) // 2, {"reference"}) for page in pages]
    cases += [
        ("Doc_0/Document.xml", len(files["Doc_0/Document.xml"]) // 2, {"reference"}),
        (f"{SIGN}/Seal.esl", len(files[f"{SIGN}/Seal.esl"]) - 1, {"reference", "seal_match"}),
        (f"{SIGN}/Signature.xml", len(files[f"{SIGN}/Signature.xml"]) // 2, {"data_hash"}),
        (f"{SIGN}/SignedValue.dat", len(files[f"{SIGN}/SignedValue.dat"]) - 1, {"signature"}),
    ]
    return files, cases


def test_one_changed_byte_in_any_signed_part_fails_the_right_check(signed_ofd):
    files, cases = _tamper_cases(signed_ofd)
    assert len(cases) >= 7
    for name, index, expected in cases:
        changed = dict(files)
        changed[name] = _flip(files[name], index)
        result = verify_ofd(repack(changed))
        assert not result["valid"], name
        bad = failed(result)
        assert expected <= {check["name"] for check in bad}, (name, bad)
        if "reference" in expected:
            assert any(name in check["detail"] for check in bad if check["name"] == "reference")


def test_a_seal_value_made_with_a_different_seal_fails(signed_ofd, signer):
    files = files_of(signed_ofd)
    other = SESeal.load(files[f"{SIGN}/Seal.esl"])
    info = other["eSealInfo"]
    info["property"]["name"] = "合同专用章"  # the 制章者 signed another name
    changed = dict(files)
    changed[f"{SIGN}/Seal.esl"] = SESeal.load(other.dump(force=True)).dump()
    result = verify_ofd(repack(changed))
    assert {"reference", "seal_match"} <= {check["name"] for check in failed(result)}


def test_a_file_added_after_signing_is_named(signed_ofd):
    files = files_of(signed_ofd)
    files["Doc_0/Pages/Page_9/Content.xml"] = b"<Page/>"
    result = verify_ofd(repack(files))
    coverage = [check for check in failed(result) if check["name"] == "coverage"]
    assert coverage and "/Doc_0/Pages/Page_9/Content.xml" in coverage[0]["detail"]


def test_expired_or_not_yet_valid_seal_is_refused(signer):
    ofd = render_ofd(parse_document(request_document()))
    expired = spec(valid_from=datetime.date(2020, 1, 1), valid_to=datetime.date(2025, 12, 31))
    with pytest.raises(SealError, match="不在有效期内"):
        sign_ofd(ofd, spec=expired, signer=signer)
    with pytest.raises(SealError, match="不在有效期内"):
        sign_detached(b"%PDF-", spec=expired, signer=signer, property_info="a.pdf")
    future = spec(valid_from=datetime.date(2099, 1, 1), valid_to=datetime.date(2099, 12, 31))
    with pytest.raises(SealError, match="2099-01-01"):
        sign_ofd(ofd, spec=future, signer=signer)


def test_signing_twice_and_unsigned_or_bad_input(signed_ofd, signer):
    with pytest.raises(SealError, match="已加盖电子签章"):
        sign_ofd(signed_ofd, spec=spec(), signer=signer)
    unsigned = verify_ofd(render_ofd(parse_document(request_document())))
    assert not unsigned["valid"] and unsigned["checks"][0]["name"] == "signatures"
    with pytest.raises(VerifyError, match="不是 OFD"):
        verify_ofd(b"not a zip")


# Detached seal for PDF


def test_detached_pdf_seal(tmp_path, signer):
    pdf = b"%PDF-1.7\n" + os.urandom(2000)
    (tmp_path / "a.pdf").write_bytes(pdf)
    (tmp_path / "a.pdf.sig").write_bytes(
        sign_detached(pdf, spec=spec(), signer=signer, property_info="a.pdf")
    )
    assert verify_path(tmp_path / "a.pdf")["valid"]
    (tmp_path / "a.pdf").write_bytes(_flip(pdf, 1000))
    result = verify_path(tmp_path / "a.pdf")
    assert not result["valid"] and [c["name"] for c in failed(result)] == ["data_hash"]
    (tmp_path / "a.pdf.sig").unlink()
    assert not verify_path(tmp_path / "a.pdf")["valid"]


# Signers


def test_software_key_file_is_private_and_reused(tmp_path):
    path = tmp_path / "oa" / "dev-seal-key.json"
    first = SoftwareSigner(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    second = SoftwareSigner(path)
    assert first.certificate() == second.certificate()
    info = parse_certificate(first.certificate())
    assert "开发测试" in info.subject and "非法定效力" in info.subject
    key_hex = json.loads(path.read_text(encoding="utf-8"))["private_key"]
    assert key_hex not in repr(first)
    assert not any(
        isinstance(value, int) and value == int(key_hex, 16)
        for name, value in vars(first).items()
        if not name.startswith("_SoftwareSigner__")
    )
    assert sm2.verify(info.public_key, b"x", second.sign(b"x"))


def test_http_signer_request_and_answer(signer):
    with pytest.raises(SealError, match="ZHENGWU_OA_SIGNER_URL"):
        HttpSigner("")
    with pytest.raises(SealError, match="HTTPS"):
        HttpSigner("http://seal.example/sign")

    requests = []

    def platform(payload: dict) -> dict:
        requests.append(payload)
        if payload["action"] == "certificate":
            return {"certificate": base64.b64encode(signer.certificate()).decode()}
        data = base64.b64decode(payload["data"])
        assert payload["data_sm3"] == sm2.sm3(data).hex()
        assert payload["algorithm"] == "1.2.156.10197.1.501"
        return {"signature": base64.b64encode(signer.sign(data)).decode()}

    remote = HttpSigner("https://seal.example/api", "token", transport=platform)
    assert remote.certificate() == signer.certificate()
    signature = remote.sign(b"to be signed")
    assert sm2.verify(parse_certificate(signer.certificate()).public_key, b"to be signed", signature)
    assert [r["action"] for r in requests] == ["certificate", "sign"]

    liar = HttpSigner(
        "https://seal.example/api",
        transport=lambda p: (
            {"certificate": base64.b64encode(signer.certificate()).decode()}
            if p["action"] == "certificate"
            else {"signature": base64.b64encode(signer.sign(b"something else")).decode()}
        ),
    )
    with pytest.raises(SealError, match="与其证书不符"):
        liar.sign(b"to be signed")
    broken = HttpSigner("https://seal.example/api", transport=lambda p: {"error": "维护中"})
    with pytest.raises(SealError, match="certificate"):
        broken.certificate()


# CLI


def _write(tmp_path, data):
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.django_db
def test_cli_render_sealed_and_verify(tmp_path, settings):
    from zhengwu.core.models import AuditLog

    settings.DATA_DIR = tmp_path / "data"
    source = _write(tmp_path, variant(seal=True))
    for fmt in ("ofd", "pdf", "docx"):
        out = io.StringIO()
        call_command(
            "oa", "render", str(source), "--format", fmt, "--out", str(tmp_path / f"o.{fmt}"), stdout=out
        )
    assert "只加盖了印章图像" in out.getvalue()
    assert stat.S_IMODE((tmp_path / "data" / "oa" / "dev-seal-key.json").stat().st_mode) == 0o600
    assert (tmp_path / "o.pdf.sig").exists() and not (tmp_path / "o.docx.sig").exists()
    assert AuditLog.objects.filter(action="oa.seal.use").count() == 3

    for name in ("o.ofd", "o.pdf"):
        out = io.StringIO()
        call_command("oa", "verify", str(tmp_path / name), stdout=out)
        assert json.loads(out.getvalue())["valid"] is True

    files = files_of((tmp_path / "o.ofd").read_bytes())
    files["Doc_0/Document.xml"] = _flip(files["Doc_0/Document.xml"], 100)
    (tmp_path / "bad.ofd").write_bytes(repack(files))
    out = io.StringIO()
    with pytest.raises(CommandError, match=r"/Doc_0/Document\.xml") as caught:
        call_command("oa", "verify", str(tmp_path / "bad.ofd"), stdout=out)
    assert caught.value.returncode == 1
    assert json.loads(out.getvalue())["valid"] is False

    with pytest.raises(CommandError, match="找不到文件") as caught:
        call_command("oa", "verify", str(tmp_path / "missing.ofd"), stdout=io.StringIO())
    assert caught.value.returncode == 2
    with pytest.raises(CommandError, match="不是 OFD 或 PDF") as caught:
        call_command("oa", "verify", str(source), stdout=io.StringIO())
    assert caught.value.returncode == 2


@pytest.mark.django_db
def test_cli_http_signer_unconfigured_is_refused(tmp_path, settings):
    settings.ZHENGWU_OA_SIGNER = "http"
    settings.ZHENGWU_OA_SIGNER_URL = ""
    source = _write(tmp_path, variant(seal=True))
    with pytest.raises(CommandError, match="未配置签章服务地址"):
        call_command("oa", "render", str(source), "--format", "ofd", "--out", str(tmp_path / "o.ofd"))
    assert not (tmp_path / "o.ofd").exists()
