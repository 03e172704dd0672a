from .catalogue import (
    DisclosureGuide,
    DisclosureItem,
    IndexSequence,
    IssuedIndexNumber,
    ItemAttachment,
    ItemStatus,
    StandardCatalogEntry,
)
from .report import AnnualReport, PublishState, ReportStatus, ReviewCase, ReviewKind, ReviewResult
from .requests import (
    OPEN_STATES,
    Consultation,
    DisclosureRequest,
    EventKind,
    FeeMethod,
    FeeNotice,
    LetterKind,
    NoticeLetter,
    RequestEvent,
    RequestOrigin,
    RequestState,
)
from .routing import RequestRoute
from .settings import DisclosureSettings
from .taxonomy import Genre, StandardCatalogArea, Theme

__all__ = [
    "OPEN_STATES",
    "AnnualReport",
    "Consultation",
    "DisclosureGuide",
    "DisclosureItem",
    "DisclosureRequest",
    "DisclosureSettings",
    "EventKind",
    "FeeMethod",
    "FeeNotice",
    "Genre",
    "IndexSequence",
    "IssuedIndexNumber",
    "ItemAttachment",
    "ItemStatus",
    "LetterKind",
    "NoticeLetter",
    "PublishState",
    "ReportStatus",
    "RequestEvent",
    "RequestOrigin",
    "RequestRoute",
    "RequestState",
    "ReviewCase",
    "ReviewKind",
    "ReviewResult",
    "StandardCatalogArea",
    "StandardCatalogEntry",
    "Theme",
]
