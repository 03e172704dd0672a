"""SM3 (GB/T 32905) and SM2 signatures with SM3 (GB/T 32918, GB/T 35276), for electronic seals.

Signatures are ``SM3(Z_A ‖ M)`` signed with the default user ID ``1234567812345678`` and encoded as DER
``SEQUENCE{r INTEGER, s INTEGER}``. The point arithmetic is gmssl's; everything gmssl gets wrong is done here: the
nonce ``k`` comes from ``secrets`` (never gmssl's ``random.choice``), a rare unusable ``k`` is retried with a fresh
one, the public key is set as 128 hex digits ``x‖y`` after construction (its constructor may eat digits of a key
given with the ``04`` prefix), and DER is parsed strictly with asn1crypto, with ``r`` and ``s`` checked to lie in
``[1, n-1]``. SM3 is OpenSSL's through ``cryptography`` (gmssl's pure-Python SM3 takes seconds per megabyte).

Software keys are for development and tests only: seals with legal effect are made by certified devices.
"""

from __future__ import annotations

import secrets

from asn1crypto.core import Integer, Sequence

SM2_WITH_SM3_OID = "1.2.156.10197.1.501"
SM2_CURVE_OID = "1.2.156.10197.1.301"
SM3_OID = "1.2.156.10197.1.401"
EC_PUBLIC_KEY_OID = "1.2.840.10045.2.1"
DEFAULT_ID = b"1234567812345678"

N = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123", 16)


class SM2Error(ValueError):
    """A key or signature that cannot be used (message in Chinese)."""


class _DerSignature(Sequence):
    _fields = [("r", Integer), ("s", Integer)]


def sm3(data: bytes) -> bytes:
    """The 32-byte SM3 digest of ``data``."""
    try:
        from cryptography.hazmat.primitives import hashes

        digest = hashes.Hash(hashes.SM3())
        digest.update(data)
        return digest.finalize()
    except Exception:  # an OpenSSL built without SM3: gmssl's slower pure-Python SM3
        from gmssl import func
        from gmssl import sm3 as gm_sm3

        return bytes.fromhex(gm_sm3.sm3_hash(func.bytes_to_list(data)))


def _crypt(private_key: int | None, public_key: bytes):
    from gmssl import sm2 as gm_sm2

    if len(public_key) != 64:
        raise SM2Error("SM2 公钥应为 64 字节（x‖y）。")
    private_hex = f"{private_key:064x}" if private_key is not None else "00" * 32
    crypt = gm_sm2.CryptSM2(private_key=private_hex, public_key=public_key.hex())
    crypt.public_key = public_key.hex()  # never trust the constructor's prefix stripping
    return crypt


def public_key_of(private_key: int) -> bytes:
    """The public key ``x‖y`` (64 bytes) of a private key in [1, n-2]."""
    from gmssl import sm2 as gm_sm2

    if not 1 <= private_key <= N - 2:
        raise SM2Error("SM2 私钥超出取值范围。")
    crypt = gm_sm2.CryptSM2(private_key=f"{private_key:064x}", public_key="00" * 64)
    point = crypt._kg(private_key, gm_sm2.default_ecc_table["g"])
    return bytes.fromhex(point)


def generate_private_key() -> int:
    """A fresh private key d, uniform in [1, n-2] (d+1 must be invertible mod n)."""
    return secrets.randbelow(N - 2) + 1


def encode_signature(r: int, s: int) -> bytes:
    return _DerSignature({"r": r, "s": s}).dump(force=True)


def decode_signature(signature: bytes) -> tuple[int, int]:
    """``(r, s)`` from DER, refusing trailing bytes, non-DER encodings and values outside [1, n-1]."""
    try:
        parsed = _DerSignature.load(signature, strict=True)
        r, s = parsed["r"].native, parsed["s"].native
        if parsed.dump(force=True) != signature:
            raise ValueError
    except Exception:
        raise SM2Error("SM2 签名值不是有效的 DER 编码。") from None
    if not (1 <= r < N and 1 <= s < N):
        raise SM2Error("SM2 签名值的 r 或 s 超出取值范围。")
    return r, s


def sign(private_key: int, public_key: bytes, message: bytes) -> bytes:
    """DER SM2-with-SM3 signature of ``message`` (default ID), with a fresh CSPRNG nonce per attempt."""
    crypt = _crypt(private_key, public_key)
    for _ in range(16):
        nonce = "%064x" % (secrets.randbelow(N - 1) + 1)
        raw = crypt.sign_with_sm3(message, random_hex_str=nonce)
        if raw:
            return encode_signature(int(raw[:64], 16), int(raw[64:], 16))
    raise SM2Error("SM2 签名连续失败，请重试。")


def verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """True when ``signature`` (DER) is a valid SM2-with-SM3 signature of ``message`` under ``public_key``."""
    try:
        r, s = decode_signature(signature)
        crypt = _crypt(None, public_key)
        return bool(crypt.verify_with_sm3(f"{r:064x}{s:064x}", message))
    except Exception:
        return False
