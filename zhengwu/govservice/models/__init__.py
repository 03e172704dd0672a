from .items import (
    CaseKind,
    ItemFile,
    ItemLevel,
    ItemVersion,
    Material,
    ProcessStep,
    ServiceItem,
)

__all__ = ["CaseKind", "ItemFile", "ItemLevel", "ItemVersion", "Material", "ProcessStep", "ServiceItem"]
