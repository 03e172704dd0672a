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
