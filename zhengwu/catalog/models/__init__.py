from .opendata import ApiToken, DatasetLicence, Distribution, DistributionKind
from .resources import (
    CatalogVersion,
    CodeSequence,
    DataItem,
    Resource,
    ResourceAttribute,
    ResourceClass,
    ResourceStatus,
    ShareType,
)
from .sharing import ShareGrant, ShareRequest, ShareRequestStatus

__all__ = [
    "ApiToken",
    "CatalogVersion",
    "CodeSequence",
    "DataItem",
    "DatasetLicence",
    "Distribution",
    "DistributionKind",
    "Resource",
    "ResourceAttribute",
    "ResourceClass",
    "ResourceStatus",
    "ShareGrant",
    "ShareRequest",
    "ShareRequestStatus",
    "ShareType",
]
