"""The portal's own page types as the search index sees them."""

from __future__ import annotations

import html
import re

from django.utils.html import strip_tags

from .registry import SearchDocument, register_searchable

_BLOCK_TAG = re.compile(
    r"</?(?:p|div|br|li|ul|ol|h[1-6]|tr|td|th|table|thead|tbody|blockquote|section|article|figure|figcaption|"
    r"pre|hr|embed)\b[^>]*>",
    re.IGNORECASE,
)
_INLINE_SPACE = re.compile(r"[ \t\r\f\v\u00a0\u3000]+")


def html_to_text(value: str) -> str:
    """Plain text of rich text: blocks become lines, inline tags vanish without adding spaces (a space inside a
    Chinese word would split it), entities are decoded."""
    if not value:
        return ""
    text = html.unescape(strip_tags(_BLOCK_TAG.sub("\n", value)))
    lines = (_INLINE_SPACE.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _content_document(
    page, *, kind: str, extra_keywords: str = "", document_number: str = ""
) -> SearchDocument:
    return SearchDocument(
        title=page.title,
        kind=kind,
        published_at=page.published_at or page.first_published_at,
        summary=page.summary or page.search_description or "",
        body=html_to_text(page.body),
        keywords=" ".join(part for part in (page.keywords, extra_keywords) if part),
        document_number=document_number,
        source=page.source,
    )


def describe_article(page) -> SearchDocument:
    return _content_document(page, kind=page.kind)


def describe_policy(page) -> SearchDocument:
    return _content_document(
        page, kind="policy", extra_keywords=page.issuing_authority, document_number=page.document_number
    )


def describe_interpretation(page) -> SearchDocument:
    # The interpreted policy's title and 文号 find the interpretation too, ranked below the policy itself.
    policy = page.policy
    return _content_document(
        page,
        kind="interpretation",
        extra_keywords=f"{policy.title} {policy.document_number}" if policy else "",
    )


def describe_topic(page) -> SearchDocument:
    return SearchDocument(
        title=page.title,
        kind="topic",
        published_at=page.first_published_at or page.last_published_at,
        summary=page.search_description or "",
        body=html_to_text(page.intro),
    )


def register_portal_types() -> None:
    from ..models import ArticleKind, ArticlePage, InterpretationPage, PolicyDocumentPage, TopicPage

    register_searchable(ArticlePage, kinds=list(ArticleKind.choices), describe=describe_article)
    register_searchable(PolicyDocumentPage, kinds=[("policy", "政策文件")], describe=describe_policy)
    register_searchable(
        InterpretationPage, kinds=[("interpretation", "政策解读")], describe=describe_interpretation
    )
    register_searchable(TopicPage, kinds=[("topic", "专题")], describe=describe_topic)
