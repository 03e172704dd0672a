"""审计日志: every write in the platform leaves one row here through :func:`audit`.

Rows are chained: each row's hash covers all of its own fields and the previous row's hash, so an altered,
inserted or deleted row breaks the chain at a point :func:`verify_chain` can name. The hash is an HMAC keyed with
``ZHENGWU_AUDIT_KEY`` (default: ``SECRET_KEY``), which does not live in the database: someone who can write to the
database but not read the server's configuration cannot recompute a consistent chain after tampering.

Appends are serialized by locking the single :class:`AuditChainHead` row. The head also records, under its own
keyed hash, the last sequence number and hash, so that rows cut from the end of the log are noticed; it is moved
once per transaction (at the first append, then once more after the commit when the transaction appended
several rows), so bulk work stays linear. Database triggers (migration ``0002_audit_append_only``) refuse UPDATE
and DELETE on the log itself.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from ..client_address import client_ip
from ..models import AuditChainHead, AuditLog

GENESIS_HASH = "0" * 64
_ROW_SALT = "zhengwu.core.audit.row"
_HEAD_SALT = "zhengwu.core.audit.head"
_HEAD_PK = 1


# ---------------------------------------------------------------------------------------------------------------
# Keys and canonical form
# ---------------------------------------------------------------------------------------------------------------


def _keys() -> list[str]:
    """The signing key first, then keys still accepted for rows written before a rotation."""
    key = getattr(settings, "ZHENGWU_AUDIT_KEY", "") or ""
    if key:
        return [key, *getattr(settings, "ZHENGWU_AUDIT_KEY_FALLBACKS", ())]
    return [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", ())]


def _normalize_json(value: Any) -> Any:
    """The JSON value as both SQLite and PostgreSQL ``jsonb`` give it back, so that the hash computed before saving
    equals the hash recomputed from the stored row: integral floats become ints (jsonb prints ``1e20`` as an
    integer), NUL characters are dropped (jsonb refuses them), NaN and infinities are refused."""
    if isinstance(value, dict):
        return {str(k).replace("\x00", ""): _normalize_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_normalize_json(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("审计详情不能包含 NaN 或无穷大。")
        return int(value) if value.is_integer() else value
    if isinstance(value, str):
        return value.replace("\x00", "")
    # Dates, decimals, UUIDs, lazy strings: as Django's encoder writes them, then normalized as strings.
    return _normalize_json(json.loads(json.dumps(value, cls=DjangoJSONEncoder)))


def canonical_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)


def _row_payload(entry: AuditLog) -> str:
    created_at = entry.created_at.astimezone(UTC).isoformat(timespec="microseconds")
    # Every stored field except the surrogate ``id`` and the hash itself.
    payload = {
        "seq": entry.seq,
        "created_at": created_at,
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "target_label": entry.target_label,
        "organization": entry.organization_id_snapshot,
        "ip_address": entry.ip_address,
        "detail": entry.detail,
        "prev_hash": entry.prev_hash,
    }
    return canonical_json(payload)


def compute_hash(entry: AuditLog, *, key: str | None = None) -> str:
    """The keyed hash of one row (with the current signing key unless ``key`` is given)."""
    return salted_hmac(
        _ROW_SALT, _row_payload(entry), secret=key or _keys()[0], algorithm="sha256"
    ).hexdigest()


def _row_hash_ok(entry: AuditLog) -> bool:
    return any(constant_time_compare(compute_hash(entry, key=key), entry.hash) for key in _keys())


def _head_mac(last_seq: int, last_hash: str, key: str) -> str:
    return salted_hmac(_HEAD_SALT, f"{last_seq}:{last_hash}", secret=key, algorithm="sha256").hexdigest()


def _head_mac_ok(head: AuditChainHead) -> bool:
    return any(
        constant_time_compare(_head_mac(head.last_seq, head.last_hash, key), head.mac) for key in _keys()
    )


# ---------------------------------------------------------------------------------------------------------------
# Who and from where
# ---------------------------------------------------------------------------------------------------------------


def actor_label(actor: Any, request: HttpRequest | None = None) -> str:
    """The name the row keeps even if the account is later renamed or removed."""
    if actor is None or not getattr(actor, "pk", None):
        return "公众" if request is not None else "系统"
    username = actor.get_username()
    shown = str(actor)
    label = username if not shown or shown == username else f"{shown}（{username}）"
    return label[:150]


# ---------------------------------------------------------------------------------------------------------------
# Appending
# ---------------------------------------------------------------------------------------------------------------


def _lock_head() -> AuditChainHead:
    """Lock the head row, creating it on first use; holding it serializes appends across processes."""
    head = AuditChainHead.objects.select_for_update().filter(pk=_HEAD_PK).first()
    if head is not None:
        return head
    # Concurrent creators meet on the primary key; the loser then waits for the winner's lock.
    AuditChainHead.objects.bulk_create(
        [
            AuditChainHead(
                pk=_HEAD_PK, last_seq=0, last_hash=GENESIS_HASH, mac=_head_mac(0, GENESIS_HASH, _keys()[0])
            )
        ],
        ignore_conflicts=True,
    )
    return AuditChainHead.objects.select_for_update().get(pk=_HEAD_PK)


def _tail() -> tuple[int, str]:
    last = AuditLog.objects.order_by("-seq").values_list("seq", "hash").first()
    return (last[0], last[1]) if last else (0, GENESIS_HASH)


def _move_head(head: AuditChainHead, seq: int, row_hash: str) -> None:
    if seq > head.last_seq:
        head.last_seq, head.last_hash = seq, row_hash
        head.mac = _head_mac(seq, row_hash, _keys()[0])
        head.save(update_fields=["last_seq", "last_hash", "mac"])


def advance_head() -> None:
    """Bring the chain head up to the last row. Runs after a transaction that appended several rows."""
    with transaction.atomic():
        head = _lock_head()
        _move_head(head, *_tail())


class _HeadFinisher:
    """Registered with ``on_commit`` by the first append of a transaction. Later appends in the same transaction
    leave the head row alone and set ``deferred``: updating one row thousands of times in one PostgreSQL
    transaction leaves a chain of row versions that every later lookup walks (quadratic time for bulk work)."""

    def __init__(self) -> None:
        self.deferred = False

    def __call__(self) -> None:
        if self.deferred:
            advance_head()


def _pending_finisher(connection: Any) -> _HeadFinisher | None:
    # A finisher still queued means this transaction already appended (and that append was not rolled back).
    for entry in reversed(connection.run_on_commit):
        if isinstance(entry[1], _HeadFinisher):
            return entry[1]
    return None


@transaction.atomic
def audit(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    detail: dict[str, Any] | None = None,
    organization: Any = None,
    request: HttpRequest | None = None,
) -> AuditLog:
    """Append one row to the audit log inside the caller's transaction.

    ``actor`` is a Staff, or ``None`` for the system (no ``request``) or a member of the public (with ``request``);
    ``action`` is a dotted code such as ``"disclosure.request.extend"``; ``detail`` any JSON-serializable mapping.
    The organization defaults to the actor's. The row is committed or rolled back with the caller's work.
    """
    if not action or len(action) > 80:
        raise ValueError("审计操作代码不能为空，且不超过 80 个字符。")
    detail = _normalize_json(dict(detail or {}))
    canonical_json(detail)  # refuse what could not be hashed before taking the lock
    user = actor if getattr(actor, "pk", None) else None
    if organization is None and user is not None:
        organization = getattr(user, "organization", None)
    connection = transaction.get_connection()
    nested = len(connection.atomic_blocks) > 1
    finisher = _pending_finisher(connection) if nested else None
    # A pending finisher was registered together with taking the head lock, and both are discarded together if
    # that part of the transaction rolls back: while it is pending, this transaction holds the lock already.
    head = _lock_head() if finisher is None else None
    # The chain continues from the last row, not from the head (which may lag by one transaction's rows).
    last_seq, last_hash = _tail()
    entry = AuditLog(
        seq=last_seq + 1,
        # Taken under the lock, so time never runs backwards along the chain.
        created_at=timezone.now(),
        actor=user,
        actor_label=actor_label(actor, request),
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None and target.pk is not None else "",
        target_label=str(target)[:200] if target is not None else "",
        organization_id_snapshot=getattr(
            organization, "pk", organization if isinstance(organization, int) else None
        ),
        ip_address=client_ip(request),
        detail=detail,
        prev_hash=last_hash,
    )
    entry.hash = compute_hash(entry)
    entry.save(force_insert=True)

    if head is not None:
        _move_head(head, entry.seq, entry.hash)
        if nested:
            transaction.on_commit(_HeadFinisher())
    else:
        finisher.deferred = True
    return entry


# ---------------------------------------------------------------------------------------------------------------
# Verifying
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainProblem:
    """The first break found. ``kind`` is one of ``missing``, ``altered``, ``relinked``, ``truncated``, ``forged``,
    ``head``; ``seq`` the row it names (for ``head`` the sequence number the head claims)."""

    seq: int
    kind: str
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class ChainReport:
    rows: int
    problem: ChainProblem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify_chain_report(*, batch_size: int = 5000) -> ChainReport:
    """Walk the whole chain in order and report how many rows were verified and the first problem, if any.

    Every row must carry a valid keyed hash and link to the row before it; every row up to the (signed) head
    must exist. Rows after the head are genuine when their keyed hash is valid: the head is advanced when the
    appending transaction commits, so it may lag behind by one transaction's rows. Safe while others append:
    the head is read before the rows, and rows up to it were committed before it.
    """
    counted = 0
    head = AuditChainHead.objects.filter(pk=_HEAD_PK).first()
    head_ok = head is not None and _head_mac_ok(head)
    trusted = head.last_seq if head_ok else 0
    expected_seq, prev_hash = 1, GENESIS_HASH
    for entry in AuditLog.objects.order_by("seq").iterator(chunk_size=batch_size):
        if entry.seq != expected_seq:
            return ChainReport(
                counted,
                ChainProblem(expected_seq, "missing", f"第 {expected_seq} 条审计记录缺失（已被删除）。"),
            )
        if not _row_hash_ok(entry):
            if head_ok and entry.seq > trusted:
                problem = ChainProblem(
                    entry.seq,
                    "forged",
                    f"第 {entry.seq} 条审计记录是伪造插入的：校验失败，且在审计链头确认的第 {trusted} 条之后。",
                )
            else:
                problem = ChainProblem(
                    entry.seq, "altered", f"第 {entry.seq} 条审计记录校验失败：内容已被篡改，或为伪造的记录。"
                )
            return ChainReport(counted, problem)
        if entry.prev_hash != prev_hash:
            return ChainReport(
                counted,
                ChainProblem(
                    entry.seq,
                    "relinked",
                    f"第 {entry.seq} 条审计记录与第 {entry.seq - 1} 条记录的链接不符：记录被替换。",
                ),
            )
        if head_ok and entry.seq == trusted and not constant_time_compare(entry.hash, head.last_hash):
            return ChainReport(
                counted, ChainProblem(trusted, "head", f"审计链头与第 {trusted} 条审计记录不符。")
            )
        counted += 1
        prev_hash = entry.hash
        expected_seq += 1

    if head is None:
        if counted == 0:
            return ChainReport(0, None)  # an empty log
        return ChainReport(
            counted, ChainProblem(counted, "head", "审计链头缺失：无法确认末尾的审计记录是否被删除。")
        )
    if not head_ok:
        return ChainReport(
            counted,
            ChainProblem(
                head.last_seq,
                "head",
                f"审计链头校验失败（链头记录到第 {head.last_seq} 条，现存记录到第 {counted} 条）："
                "链头被改写，末尾记录可能被删除。",
            ),
        )
    if expected_seq <= trusted:
        where = (
            f"第 {expected_seq} 条" if expected_seq == trusted else f"第 {expected_seq} 条至第 {trusted} 条"
        )
        return ChainReport(
            counted, ChainProblem(expected_seq, "truncated", f"{where}审计记录缺失（已从末尾删除）。")
        )
    return ChainReport(counted, None)


def verify_chain(*, batch_size: int = 5000) -> ChainProblem | None:
    """The first problem in the chain, or ``None`` when it is intact."""
    return verify_chain_report(batch_size=batch_size).problem
