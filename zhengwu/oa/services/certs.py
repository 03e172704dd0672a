"""Minimal X.509 v3 certificates with SM2 public keys (GB/T 20518 profile, reduced to what seals need).

The public key is ``ecPublicKey`` (1.2.840.10045.2.1) on the SM2 curve (1.2.156.10197.1.301); the certificate is
signed with SM2-with-SM3 (1.2.156.10197.1.501). The development signer certifies its own key: such a certificate
proves nothing to anyone else and says so in its subject.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from asn1crypto import keys, x509

from .sm2 import EC_PUBLIC_KEY_OID, SM2_CURVE_OID, SM2_WITH_SM3_OID


class CertificateError(ValueError):
    """A certificate that cannot be read or does not carry an SM2 key (message in Chinese)."""


@dataclass(frozen=True)
class CertificateInfo:
    public_key: bytes  # 64 bytes x‖y
    not_before: datetime.datetime
    not_after: datetime.datetime
    subject: str
    issuer: str
    tbs: bytes  # DER of the TBSCertificate, the signed part
    signature: bytes  # DER SM2 signature
    signature_algorithm: str


def _name(common_name: str, organization: str | None) -> x509.Name:
    attributes = {"common_name": common_name}
    if organization:
        attributes["organization_name"] = organization
    return x509.Name.build(attributes, use_printable=False)


def _time(value: datetime.datetime) -> x509.Time:
    """RFC 5280: UTCTime through 2049, whole seconds."""
    value = value.astimezone(datetime.UTC).replace(microsecond=0)
    return x509.Time({"utc_time" if value.year < 2050 else "general_time": value})


def build_certificate(
    *,
    public_key: bytes,
    subject_cn: str,
    organization: str | None,
    not_before: datetime.datetime,
    not_after: datetime.datetime,
    sign: Callable[[bytes], bytes],
    issuer_cn: str | None = None,
) -> bytes:
    """DER certificate for ``public_key``; ``sign`` signs the TBSCertificate DER (self-signed unless issuer given)."""
    spki = keys.PublicKeyInfo(
        {
            "algorithm": keys.PublicKeyAlgorithm(
                {
                    "algorithm": EC_PUBLIC_KEY_OID,
                    "parameters": keys.ECDomainParameters("named", SM2_CURVE_OID),
                }
            ),
            "public_key": keys.ECPointBitString(b"\x04" + public_key),
        }
    )
    algorithm = x509.SignedDigestAlgorithm({"algorithm": SM2_WITH_SM3_OID})
    subject = _name(subject_cn, organization)
    tbs = x509.TbsCertificate(
        {
            "version": "v3",
            "serial_number": secrets.randbits(127) + 1,
            "signature": algorithm,
            "issuer": _name(issuer_cn, organization) if issuer_cn else subject,
            "validity": x509.Validity(
                {
                    "not_before": _time(not_before),
                    "not_after": _time(not_after),
                }
            ),
            "subject": subject,
            "subject_public_key_info": spki,
            "extensions": [
                {"extn_id": "basic_constraints", "critical": True, "extn_value": {"ca": False}},
                {
                    "extn_id": "key_usage",
                    "critical": True,
                    "extn_value": {"digital_signature", "non_repudiation"},
                },
            ],
        }
    )
    tbs_der = tbs.dump(force=True)
    certificate = x509.Certificate(
        {
            "tbs_certificate": x509.TbsCertificate.load(tbs_der),
            "signature_algorithm": algorithm,
            "signature_value": sign(tbs_der),
        }
    )
    return certificate.dump(force=True)


def _first(name: x509.Name, field: str) -> str:
    for rdn in name.chosen:
        for attribute in rdn:
            if attribute["type"].native == field:
                return str(attribute["value"].native)
    return ""


def parse_certificate(der: bytes) -> CertificateInfo:
    """Public key, validity window and names of a DER certificate carrying an SM2 key."""
    try:
        certificate = x509.Certificate.load(der, strict=True)
        tbs = certificate["tbs_certificate"]
        spki = tbs["subject_public_key_info"]
        algorithm = spki["algorithm"]
        if algorithm["algorithm"].dotted != EC_PUBLIC_KEY_OID:
            raise CertificateError("证书中的公钥不是椭圆曲线公钥。")
        curve = algorithm["parameters"]
        if curve.name != "named" or curve.chosen.dotted != SM2_CURVE_OID:
            raise CertificateError("证书中的公钥不是 SM2 曲线公钥。")
        point = spki["public_key"].contents[1:]  # skip the BIT STRING's unused-bits byte
        if len(point) != 65 or point[0] != 4:
            raise CertificateError("证书中的 SM2 公钥不是未压缩的 65 字节点。")
        validity = tbs["validity"]
        return CertificateInfo(
            public_key=point[1:],
            not_before=validity["not_before"].native,
            not_after=validity["not_after"].native,
            subject=_first(tbs["subject"], "common_name"),
            issuer=_first(tbs["issuer"], "common_name"),
            tbs=tbs.dump(),
            signature=certificate["signature_value"].native,
            signature_algorithm=certificate["signature_algorithm"]["algorithm"].dotted,
        )
    except CertificateError:
        raise
    except Exception:
        raise CertificateError("证书不是有效的 DER 编码 X.509 证书。") from None
