"""知识库: entries per category with an owner unit, validity and review; indexed with the portal search's Chinese
segmenter (the same jieba dictionary, government vocabulary and organization names as the site search) and searched
as the operator types; expired entries are flagged to their owner unit.

The site search's index is a table of Wagtail pages; knowledge entries are not pages (most are internal answers),
so they keep their terms in their own row, cut by :func:`zhengwu.portal.search.segment.index_terms`, and a query is
parsed by :func:`~zhengwu.portal.search.segment.parse_query` exactly as on the portal. A call is described in a
sentence, not typed as a query, so an entry matches when any query term does and ranks by how many do (title and
keywords count more than the answer).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from zhengwu.core.scoping import is_in_scope
from zhengwu.core.services.audit import audit
from zhengwu.portal.search.segment import index_terms, parse_query, select_terms

from ..models import Category, KnowledgeEntry

MANAGE = "interaction.change_knowledgeentry"
ADD = "interaction.add_knowledgeentry"
FIELDS = ("category", "title", "answer", "keywords", "owner_unit", "source", "valid_from", "valid_until")


def _terms(*texts: str) -> str:
    terms = [term for text in texts if text for term in index_terms(text)]
    return f" {' '.join(terms)} " if terms else ""


def _index(entry: KnowledgeEntry) -> None:
    entry.title_terms = _terms(
        entry.title,
        entry.keywords.replace(",", " ").replace("，", " "),
        entry.category.name if entry.category_id else "",
    )
    entry.body_terms = _terms(entry.answer)


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    title = " ".join(str(values.get("title") or "").split())
    answer = (values.get("answer") or "").strip()
    if len(title) < 4:
        errors["title"] = ["请填写问题（至少 4 个字）。"]
    if len(answer) < 10:
        errors["answer"] = ["请填写答复口径（至少 10 个字）。"]
    if not isinstance(values.get("category"), Category):
        errors["category"] = ["请选择分类。"]
    if values.get("owner_unit") is None:
        errors["owner_unit"] = ["请选择维护单位。"]
    start, end = values.get("valid_from"), values.get("valid_until")
    if not isinstance(start, dt.date):
        errors["valid_from"] = ["请填写生效日期。"]
    elif end is not None and end < start:
        errors["valid_until"] = ["有效期不能早于生效日期。"]
    if errors:
        raise ValidationError(errors)
    return {
        **values,
        "title": title[:120],
        "answer": answer,
        "keywords": " ".join(str(values.get("keywords") or "").split())[:200],
    }


def _may_manage(actor: Any, unit: Any) -> None:
    if actor is None:
        return
    if not actor.has_perm(MANAGE) or not is_in_scope(unit, actor, org_field=""):
        raise PermissionDenied("您没有维护该单位知识库的权限。")


@transaction.atomic
def save_entry(*, actor: Any, entry: KnowledgeEntry | None = None, **values: Any) -> KnowledgeEntry:
    """Create or change an entry; saving it counts as a review (the reviewer and time are recorded)."""
    values = _clean({name: values.get(name) for name in FIELDS})
    _may_manage(actor, values["owner_unit"])
    if entry is not None:
        _may_manage(actor, entry.owner_unit)
    entry = entry or KnowledgeEntry()
    for name, value in values.items():
        setattr(entry, name, value)
    entry.reviewed_at = timezone.now()
    entry.reviewed_by = actor if getattr(actor, "pk", None) else None
    entry.expiry_notified_on = None
    _index(entry)
    created = entry.pk is None
    entry.save()
    audit(
        actor=actor,
        action="interaction.knowledge.save",
        target=entry,
        organization=entry.owner_unit,
        detail={"created": created, "valid_until": entry.valid_until},
    )
    return entry


def reindex_all() -> int:
    count = 0
    for entry in KnowledgeEntry.objects.select_related("category"):
        _index(entry)
        KnowledgeEntry.objects.filter(pk=entry.pk).update(
            title_terms=entry.title_terms, body_terms=entry.body_terms
        )
        count += 1
    return count


# -- search ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KnowledgeHit:
    entry: KnowledgeEntry
    score: float
    matched: tuple[str, ...]
    expired: bool


def _alternative_matches(terms_text: str, alternative: tuple[str, ...]) -> bool:
    return all(f" {lexeme} " in terms_text for lexeme in alternative)


def search_knowledge(
    query: str,
    *,
    category: Category | None = None,
    limit: int = 8,
    today: dt.date | None = None,
    include_expired: bool = False,
) -> list[KnowledgeHit]:
    """Entries for what the operator typed (any term matches; ranked by matches, title and keywords first).
    Expired entries are left out unless asked for; entries of the chosen category rank first."""
    today = today or timezone.localdate()
    terms, _ = select_terms(parse_query(query or ""))
    if not terms and category is None:
        return []
    qs = KnowledgeEntry.objects.filter(is_active=True).select_related("category", "owner_unit")
    if not include_expired:
        qs = qs.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today), valid_from__lte=today)
    condition = Q()
    for term in terms:
        for alternative in term.alternatives:
            if alternative:
                condition |= Q(title_terms__contains=f" {alternative[0]} ") | Q(
                    body_terms__contains=f" {alternative[0]} "
                )
    if category is not None:
        condition |= Q(category__path__startswith=category.path)
    hits = []
    for entry in qs.filter(condition)[:500]:
        score = 0.0
        matched = []
        for term in terms:
            if any(_alternative_matches(entry.title_terms, alt) for alt in term.alternatives):
                score += 3 * len(term.text)
                matched.append(term.text)
            elif any(_alternative_matches(entry.body_terms, alt) for alt in term.alternatives):
                score += len(term.text)
                matched.append(term.text)
        if category is not None and entry.category.path.startswith(category.path):
            score += 2
        if score <= 0:
            continue
        expired = entry.valid_until is not None and entry.valid_until < today
        hits.append(KnowledgeHit(entry, score, tuple(matched), expired))
    hits.sort(key=lambda hit: (-hit.score, -hit.entry.use_count, hit.entry.pk))
    return hits[:limit]


# -- expiry ------------------------------------------------------------------------------------------------------


def expired_entries(*, today: dt.date | None = None):
    today = today or timezone.localdate()
    return KnowledgeEntry.objects.filter(is_active=True, valid_until__lt=today)


def notify_expired(*, today: dt.date | None = None) -> int:
    """Tell each owner unit once about its entries that have expired (past their 有效期至)."""
    from zhengwu.core.models import Staff
    from zhengwu.core.services.notifications import notify

    today = today or timezone.localdate()
    sent = 0
    by_unit: dict[int, list[KnowledgeEntry]] = {}
    for entry in (
        expired_entries(today=today).filter(expiry_notified_on__isnull=True).select_related("owner_unit")
    ):
        by_unit.setdefault(entry.owner_unit_id, []).append(entry)
    for unit_id, entries in by_unit.items():
        staff = [
            s for s in Staff.objects.filter(organization_id=unit_id, is_active=True) if s.has_perm(MANAGE)
        ]
        with transaction.atomic():
            if staff:
                titles = "；".join(e.title for e in entries[:10])
                notify(
                    recipients=staff,
                    title=f"知识库有 {len(entries)} 条已过有效期，请审核更新",
                    body=f"{titles}{'……' if len(entries) > 10 else ''}",
                    link="/admin/hotline/knowledge/?expired=1",
                    category="hotline",
                )
                sent += 1
            KnowledgeEntry.objects.filter(pk__in=[e.pk for e in entries]).update(expiry_notified_on=today)
    return sent
