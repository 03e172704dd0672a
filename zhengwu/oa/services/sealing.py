"""From a registered 发文 to its files: the layout model, the OFD signed with the organization's seal, the PDF."""

from __future__ import annotations

from django.utils import timezone

from ..models import OutgoingDocument, Seal
from .document import Block, Issuer, layout_rules
from .document import OfficialDocument as Layout


def layout_of(document: OutgoingDocument, *, seal: bool = False, copy_number: str = "") -> Layout:
    """The layout engine's view of a 发文 (a draft not yet registered shows a blank serial as 0 is not allowed:
    it is laid out with the number left for 登记)."""
    issuers = [document.organization, *document.co_issuers.all()]
    profile = getattr(document.organization, "oa_profile", None)
    names = [
        (profile.mark_name if profile and profile.mark_name and o == document.organization else o.name)
        for o in issuers
    ]
    signers = []
    if document.signer_id:
        signers.append(document.signer.get_full_name())
    for row in document.countersigns.select_related("signed_by").filter(signed_by__isnull=False):
        signers.append(row.signed_by.get_full_name())
    to = [o.name for o in document.to_orgs.all()] + [s for s in document.to_outside.split("、") if s.strip()]
    cc = [o.name for o in document.cc_orgs.all()] + [s for s in document.cc_outside.split("、") if s.strip()]
    return Layout(
        kind=document.kind,
        issuers=tuple(Issuer(name=n, code=o.credit_code) for n, o in zip(names, issuers, strict=True)),
        number_code=(
            document.number_code or (profile.document_code if profile else "") or "待登记"
        ).removesuffix("纪要"),
        number_year=document.number_year or timezone.localdate().year,
        number_serial=document.number_serial or 1,
        title=document.title,
        body=tuple(Block(b["type"], b["text"], b.get("level", 0)) for b in document.body),
        date=document.document_date or timezone.localdate(),
        to=tuple(to),
        cc=tuple(cc),
        signers=tuple(signers) if document.kind in layout_rules()["upward_kinds"]["kinds"] else (),
        attachments=tuple(document.attachments),
        secret_level=document.secret_level,
        secret_term=document.secret_term,
        copy_number=copy_number if document.secret_level else "",
        urgency=document.urgency,
        printer=document.printer,
        print_date=document.print_date or (timezone.localdate() if document.number_serial else None),
        note=document.note,
        seal=seal and document.form != "纪要",
        form=document.form,
        attendance=tuple(
            (label, tuple(document.attendance[label]))
            for label in ("出席", "请假", "列席")
            if document.attendance.get(label)
        ),
    )


def seal_spec(seal: Seal):
    from .signer import SealSpec

    return SealSpec(
        es_id=seal.es_id,
        name=seal.name,
        holder=seal.organization.name,
        valid_from=seal.valid_from,
        valid_to=seal.valid_to,
        image=bytes(seal.image) if seal.image else None,
        width_mm=int(seal.width_mm),
        height_mm=int(seal.height_mm),
    )


def file_stem(document: OutgoingDocument) -> str:
    return document.number or f"草稿{document.pk}"


def seal_document(document: OutgoingDocument, seal: Seal) -> tuple[bytes, bytes, bytes]:
    """The registered document with ``seal`` over its 成文日期, signed by the configured signer (SM2-with-SM3,
    GB/T 38540 v4): the signed OFD, the PDF with the seal's picture and its detached signature (``.pdf.sig``).
    A seal or certificate out of its validity is refused with the reason."""
    from django.core.exceptions import ValidationError

    from .ofd_sign import sign_detached, sign_ofd
    from .render_ofd import render_ofd
    from .render_pdf import SealImage, render_pdf
    from .signer import SealError, configured_signer

    layout = layout_of(document, seal=True)
    spec = seal_spec(seal)
    try:
        signer = configured_signer()
        ofd = sign_ofd(render_ofd(layout), spec=spec, signer=signer)
        pdf = render_pdf(layout, seal=SealImage(spec.png(), spec.width_mm, spec.height_mm))
        signature = sign_detached(pdf, spec=spec, signer=signer, property_info=f"{file_stem(document)}.pdf")
    except SealError as error:
        raise ValidationError({"seal": str(error)}) from None
    return ofd, pdf, signature


def outside_package(document: OutgoingDocument) -> bytes:
    """What goes to the 主送/抄送 organizations off the platform: the sealed OFD, the sealed PDF with its detached
    signature, and a note of the document and its recipients (JSON)."""
    import io
    import json
    import zipfile

    stem = file_stem(document)
    note = {
        "发文字号": document.number,
        "标题": document.title,
        "文种": document.kind,
        "发文机关": [document.organization.name, *(o.name for o in document.co_issuers.all())],
        "成文日期": document.document_date.isoformat() if document.document_date else "",
        "主送机关（平台外）": [n for n in document.to_outside.split("、") if n.strip()],
        "抄送机关（平台外）": [n for n in document.cc_outside.split("、") if n.strip()],
        "印章": document.seal.name if document.seal else "",
        "验证": "OFD 和 PDF（连同 .sig 文件）的电子签章可用 zhengwu oa verify 或省级电子印章平台验证。",
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        if document.sealed_file:
            archive.writestr(f"{stem}.ofd", bytes(document.sealed_file))
        if document.sealed_pdf:
            archive.writestr(f"{stem}.pdf", bytes(document.sealed_pdf))
            archive.writestr(f"{stem}.pdf.sig", bytes(document.sealed_pdf_signature or b""))
        archive.writestr("分送说明.json", json.dumps(note, ensure_ascii=False, indent=2))
    return out.getvalue()
