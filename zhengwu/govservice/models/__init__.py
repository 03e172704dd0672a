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

__all__ = [
    "OPEN_STATUSES",
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
    "ServiceCase",
    "ServiceItem",
]
