from .applications import (
    OPEN_STATUSES,
    ApplicantKind,
    Application,
    ApplicationEvent,
    ApplicationFile,
    ApplicationStatus,
)
from .cases import CasePause, CaseSource, Decision, ServiceCase
from .items import (
    CaseKind,
    ItemFile,
    ItemLevel,
    ItemVersion,
    Material,
    ProcessStep,
    ServiceItem,
)
from .ratings import AppealState, RatingChannel, RatingStatus, Rectification, ServiceRating

__all__ = [
    "OPEN_STATUSES",
    "AppealState",
    "ApplicantKind",
    "Application",
    "ApplicationEvent",
    "ApplicationFile",
    "ApplicationStatus",
    "CaseKind",
    "CasePause",
    "CaseSource",
    "Decision",
    "ItemFile",
    "ItemLevel",
    "ItemVersion",
    "Material",
    "ProcessStep",
    "RatingChannel",
    "RatingStatus",
    "Rectification",
    "ServiceCase",
    "ServiceItem",
    "ServiceRating",
]
