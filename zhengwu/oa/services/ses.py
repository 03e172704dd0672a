"""GB/T 38540-2020 安全电子签章 data structures, version 4, as DER (asn1crypto).

```
SESeal        ::= SEQUENCE { eSealInfo SES_SealInfo, cert OCTET STRING, signAlgID OID, signedValue BIT STRING }
SES_SealInfo  ::= SEQUENCE { header SES_Header, esID IA5String, property SES_ESPropertyInfo,
                             picture SES_ESPictureInfo, extDatas ExtensionDatas OPTIONAL }
SES_Signature ::= SEQUENCE { toSign TBS_Sign, cert OCTET STRING, signatureAlgID OID, signature BIT STRING,
                             timeStamp [0] BIT STRING OPTIONAL }
TBS_Sign      ::= SEQUENCE { version INTEGER, eseal SESeal, timeInfo GeneralizedTime, dataHash BIT STRING,
                             propertyInfo IA5String, extDatas [0] ExtensionDatas OPTIONAL }
```
The 制章者 signs DER ``SEQUENCE { eSealInfo, cert, signAlgID }`` (the seal without its signature value); the
签章者 signs DER(``TBS_Sign``). ``certList`` is read by ``certListType``: 1 a list of certificates (OCTET STRING
each), 2 a list of certificate digests; this module writes type 1.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from asn1crypto.core import (
    Any,
    Boolean,
    GeneralizedTime,
    IA5String,
    Integer,
    ObjectIdentifier,
    OctetBitString,
    OctetString,
    PrintableString,
    Sequence,
    SequenceOf,
    UTF8String,
)

from .sm2 import SM2_WITH_SM3_OID

SEAL_ID = "ES"
SEAL_VERSION = 4
CERT_LIST_CERTS = 1
CERT_LIST_DIGESTS = 2
VENDOR_ID = "zhengwu"


class SESError(ValueError):
    """A seal or signature structure that cannot be read (message in Chinese)."""


class ExtData(Sequence):
    _fields = [
        ("extnID", ObjectIdentifier),
        ("critical", Boolean, {"default": False}),
        ("extnValue", OctetString),
    ]


class ExtensionDatas(SequenceOf):
    _child_spec = ExtData


class SES_Header(Sequence):
    _fields = [("ID", IA5String), ("version", Integer), ("Vid", IA5String)]


class CertInfoList(SequenceOf):
    _child_spec = OctetString


class CertDigestObj(Sequence):
    _fields = [("type", PrintableString), ("value", OctetString)]


class CertDigestList(SequenceOf):
    _child_spec = CertDigestObj


class SES_ESPropertyInfo(Sequence):
    _fields = [
        ("type", Integer),
        ("name", UTF8String),
        ("certListType", Integer),
        ("certList", Any),  # CertInfoList or CertDigestList, by certListType
        ("createDate", GeneralizedTime),
        ("validStart", GeneralizedTime),
        ("validEnd", GeneralizedTime),
    ]


class SES_ESPictureInfo(Sequence):
    _fields = [("type", IA5String), ("data", OctetString), ("width", Integer), ("height", Integer)]


class SES_SealInfo(Sequence):
    _fields = [
        ("header", SES_Header),
        ("esID", IA5String),
        ("property", SES_ESPropertyInfo),
        ("picture", SES_ESPictureInfo),
        ("extDatas", ExtensionDatas, {"optional": True}),
    ]


class SESeal(Sequence):
    _fields = [
        ("eSealInfo", SES_SealInfo),
        ("cert", OctetString),
        ("signAlgID", ObjectIdentifier),
        ("signedValue", OctetBitString),
    ]


class _SealToBeSigned(Sequence):
    _fields = [("eSealInfo", SES_SealInfo), ("cert", OctetString), ("signAlgID", ObjectIdentifier)]


class TBS_Sign(Sequence):
    _fields = [
        ("version", Integer),
        ("eseal", SESeal),
        ("timeInfo", GeneralizedTime),
        ("dataHash", OctetBitString),
        ("propertyInfo", IA5String),
        ("extDatas", ExtensionDatas, {"explicit": 0, "optional": True}),
    ]


class SES_Signature(Sequence):
    _fields = [
        ("toSign", TBS_Sign),
        ("cert", OctetString),
        ("signatureAlgID", ObjectIdentifier),
        ("signature", OctetBitString),
        ("timeStamp", OctetBitString, {"explicit": 0, "optional": True}),
    ]


def _utc_seconds(value: datetime.datetime) -> datetime.datetime:
    if value.tzinfo is None:
        raise ValueError("naive datetime")
    return value.astimezone(datetime.UTC).replace(microsecond=0)


def _day_start(value: datetime.date) -> datetime.datetime:
    """Validity dates are Beijing calendar days: from 00:00:00 of the first to 23:59:59 of the last."""
    return datetime.datetime.combine(value, datetime.time(0, 0), tzinfo=CHINA).astimezone(datetime.UTC)


def _day_end(value: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(value, datetime.time(23, 59, 59), tzinfo=CHINA).astimezone(datetime.UTC)


CHINA = datetime.timezone(datetime.timedelta(hours=8), "Asia/Shanghai")


def seal_to_be_signed(seal_info: SES_SealInfo, maker_cert: bytes) -> bytes:
    return _SealToBeSigned({"eSealInfo": seal_info, "cert": maker_cert, "signAlgID": SM2_WITH_SM3_OID}).dump(
        force=True
    )


def build_seal(
    *,
    es_id: str,
    name: str,
    seal_type: int,
    picture: bytes,
    picture_type: str,
    width_mm: int,
    height_mm: int,
    valid_from: datetime.date,
    valid_to: datetime.date,
    signer_certs: list[bytes],
    maker_cert: bytes,
    maker_sign,
    created: datetime.datetime,
) -> SESeal:
    """A v4 seal: the seal information signed by the 制章者 (``maker_sign(data) -> DER SM2 signature``)."""
    info = SES_SealInfo(
        {
            "header": {"ID": SEAL_ID, "version": SEAL_VERSION, "Vid": VENDOR_ID},
            "esID": es_id,
            "property": {
                "type": seal_type,
                "name": name,
                "certListType": CERT_LIST_CERTS,
                "certList": Any.load(CertInfoList(list(signer_certs)).dump()),
                "createDate": _utc_seconds(created),
                "validStart": _day_start(valid_from),
                "validEnd": _day_end(valid_to),
            },
            "picture": {"type": picture_type, "data": picture, "width": width_mm, "height": height_mm},
        }
    )
    info = SES_SealInfo.load(info.dump(force=True))
    signed_value = maker_sign(seal_to_be_signed(info, maker_cert))
    seal = SESeal(
        {"eSealInfo": info, "cert": maker_cert, "signAlgID": SM2_WITH_SM3_OID, "signedValue": signed_value}
    )
    return SESeal.load(seal.dump(force=True))


def build_signature(
    *,
    seal: SESeal,
    data_hash: bytes,
    property_info: str,
    time_info: datetime.datetime,
    signer_cert: bytes,
    sign,
) -> SES_Signature:
    """A v4 electronic signature over ``data_hash``: DER(TBS_Sign) signed with ``sign(data) -> DER``."""
    tbs = TBS_Sign(
        {
            "version": SEAL_VERSION,
            "eseal": SESeal.load(seal.dump()),
            "timeInfo": _utc_seconds(time_info),
            "dataHash": data_hash,
            "propertyInfo": property_info,
        }
    )
    tbs = TBS_Sign.load(tbs.dump(force=True))
    signature = SES_Signature(
        {
            "toSign": tbs,
            "cert": signer_cert,
            "signatureAlgID": SM2_WITH_SM3_OID,
            "signature": sign(tbs.dump()),
        }
    )
    return SES_Signature.load(signature.dump(force=True))


def load_signature(der: bytes) -> SES_Signature:
    """Parse and fully decode an SES_Signature, refusing anything that is not one (SESError)."""
    try:
        parsed = SES_Signature.load(der, strict=True)
        parsed.native  # noqa: B018 — decode every field now, so that a bad one fails here
        return parsed
    except Exception:
        raise SESError("不是有效的 GB/T 38540 电子签章数据（SES_Signature）。") from None


def load_seal(der: bytes) -> SESeal:
    try:
        parsed = SESeal.load(der, strict=True)
        parsed.native  # noqa: B018
        return parsed
    except Exception:
        raise SESError("不是有效的 GB/T 38540 电子印章数据（SESeal）。") from None


def cert_list(seal: SESeal) -> tuple[int, list[bytes]]:
    """``(certListType, entries)``: certificates (type 1) or digest values (type 2)."""
    prop = seal["eSealInfo"]["property"]
    kind = prop["certListType"].native
    raw = prop["certList"].dump()
    if kind == CERT_LIST_CERTS:
        return kind, [item.native for item in CertInfoList.load(raw)]
    if kind == CERT_LIST_DIGESTS:
        return kind, [item["value"].native for item in CertDigestList.load(raw)]
    raise SESError(f"印章的证书列表类型 {kind} 不受支持（应为 1 或 2）。")


@dataclass(frozen=True)
class SealSummary:
    es_id: str
    name: str
    valid_start: datetime.datetime
    valid_end: datetime.datetime


def summary(seal: SESeal) -> SealSummary:
    info = seal["eSealInfo"]
    return SealSummary(
        es_id=info["esID"].native,
        name=info["property"]["name"].native,
        valid_start=info["property"]["validStart"].native,
        valid_end=info["property"]["validEnd"].native,
    )
