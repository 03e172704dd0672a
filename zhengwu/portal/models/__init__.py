from .feedback import ErrorReport, ErrorReportStatus
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
from .search import HiddenSearchTerm, SearchEntry, SearchQueryLog, SearchRecommendation  # noqa: F401
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
    "ErrorReportStatus",
    "HomePage",
    "InterpretationPage",
    "PageVisitDay",
    "PolicyDocumentPage",
    "SensitiveTerm",
    "SiteSettings",
    "TopicPage",
    "Validity",
]
