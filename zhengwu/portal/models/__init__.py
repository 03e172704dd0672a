from .feedback import ErrorReport, ErrorReportEvent, ErrorReportStatus
from .imports import ImportedAsset, ImportedKind, ImportedPage, SiteImportRun, SiteImportStatus
from .pages import (
    ArticleKind,
    ArticlePage,
    ColumnKind,
    ColumnPage,
    ContentPage,
    HomePage,
    InterpretationPage,
    PolicyDocumentPage,
    TopicPage,
    Validity,
)
from .review import ConfidentialityClearance, SensitiveTerm
from .search import (  # noqa: F401
    HiddenSearchTerm,
    SearchEntry,
    SearchQueryLog,
    SearchRecommendation,
    SearchSynonym,
)
from .settings import SiteSettings
from .visits import PageVisitDay

__all__ = [
    "ArticleKind",
    "ArticlePage",
    "ColumnKind",
    "ColumnPage",
    "ConfidentialityClearance",
    "ContentPage",
    "ErrorReport",
    "ErrorReportEvent",
    "ErrorReportStatus",
    "HomePage",
    "ImportedAsset",
    "ImportedKind",
    "ImportedPage",
    "InterpretationPage",
    "PageVisitDay",
    "PolicyDocumentPage",
    "SensitiveTerm",
    "SiteImportRun",
    "SiteImportStatus",
    "SiteSettings",
    "TopicPage",
    "Validity",
]
