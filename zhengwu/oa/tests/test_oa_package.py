"""The package for 主送/抄送 organizations off the platform: the sealed OFD, the sealed PDF and its detached
signature, each verifying; never for a 涉密 document; every export audited."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from zhengwu.core.models import AuditLog
from zhengwu.oa.services import workflow as wf
from zhengwu.oa.services.verify import verify_detached, verify_ofd

from .test_workflow import County, build_county, draft, fresh, issue

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("oa-package-data")


@pytest.fixture
def county(settings, data_dir, official_calendar, tmp_path) -> County:
    settings.DATA_DIR = data_dir
    settings.ZHENGWU_OA_SIGNER = "software"
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return build_county(data_dir)


def test_the_outside_package_holds_files_that_verify(county):
    c, p = county, county.people
    doc = draft(c, cc_outside="青川县人民武装部、青川县消防救援大队")
    with pytest.raises(ValidationError, match="核发后"):
        wf.export_outside(document=doc, actor=p.edu_clerk)
    issue(c, doc, reviewer=p.edu_reviewer, signer=p.edu_head, clerk=p.edu_clerk)
    doc = fresh(doc)
    with pytest.raises(PermissionDenied):
        wf.export_outside(document=doc, actor=p.health_clerk)  # another organization's 文书
    package = zipfile.ZipFile(io.BytesIO(wf.export_outside(document=doc, actor=p.edu_clerk)))
    stem = doc.number
    assert set(package.namelist()) == {f"{stem}.ofd", f"{stem}.pdf", f"{stem}.pdf.sig", "分送说明.json"}
    assert verify_ofd(package.read(f"{stem}.ofd"))["valid"]
    pdf, sig = package.read(f"{stem}.pdf"), package.read(f"{stem}.pdf.sig")
    assert pdf.startswith(b"%PDF")
    assert verify_detached(pdf, sig, name=f"{stem}.pdf")["valid"]
    tampered = bytearray(pdf)
    tampered[len(tampered) // 2] ^= 0x01
    assert not verify_detached(bytes(tampered), sig, name=f"{stem}.pdf")["valid"]
    note = json.loads(package.read("分送说明.json"))
    assert note["发文字号"] == stem
    assert note["抄送机关（平台外）"] == ["青川县人民武装部", "青川县消防救援大队"]
    assert AuditLog.objects.filter(action="oa.outgoing.export", target_id=str(doc.pk)).count() == 1


def test_no_package_without_outside_recipients_and_never_for_a_secret_document(county):
    c, p = county, county.people
    plain = draft(c)
    issue(c, plain, reviewer=p.edu_reviewer, signer=p.edu_head, clerk=p.edu_clerk)
    with pytest.raises(ValidationError, match="没有平台外"):
        wf.export_outside(document=fresh(plain), actor=p.edu_clerk)
    secret = draft(c, secret_level="秘密", secret_term="1年")
    issue(c, secret, reviewer=p.edu_reviewer, signer=p.edu_head, clerk=p.edu_clerk)
    with pytest.raises(PermissionDenied, match="涉密"):
        wf.export_outside(document=fresh(secret), actor=p.edu_clerk)
    assert AuditLog.objects.filter(action="oa.outgoing.export_refused", target_id=str(secret.pk)).exists()
    assert not AuditLog.objects.filter(action="oa.outgoing.export").exists()


def test_a_pdf_with_a_chinese_file_name_verifies_by_that_name(county, tmp_path):
    """The detached signature names its PDF; a name like “临政〔2026〕3号.pdf” is signed and verified as written."""
    from zhengwu.oa.services.verify import verify_path

    c, p = county, county.people
    doc = draft(c)
    issue(c, doc, reviewer=p.edu_reviewer, signer=p.edu_head, clerk=p.edu_clerk)
    doc = fresh(doc)
    target = tmp_path / f"{doc.number}.pdf"
    target.write_bytes(bytes(doc.sealed_pdf))
    (tmp_path / f"{doc.number}.pdf.sig").write_bytes(bytes(doc.sealed_pdf_signature))
    assert verify_path(target)["valid"]
    renamed = tmp_path / "other.pdf"
    renamed.write_bytes(target.read_bytes())
    (tmp_path / "other.pdf.sig").write_bytes(bytes(doc.sealed_pdf_signature))
    result = verify_path(renamed)
    assert not result["valid"]
    assert [c["name"] for c in result["checks"] if not c["ok"]] == ["property_info"]
