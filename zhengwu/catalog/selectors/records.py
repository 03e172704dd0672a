"""The exchange record of one resource: the 13 core metadata fields plus extension metadata, as a JSON mapping.
Used for the snapshots of published versions and the JSON export, so that both read alike."""

from __future__ import annotations

from typing import Any

from ..models import Resource


def classification_parts(resource: Resource) -> dict[str, str]:
    """类 / 项 / 目 / 细目 segments of the entry's classification."""
    keys = ["class_code", "item_code", "subitem_code", "detail_code"]
    parts = dict.fromkeys(keys, "")
    for key, node in zip(keys, resource.classification.lineage(), strict=False):
        parts[key] = node.segment
    return parts


def resource_record(resource: Resource) -> dict[str, Any]:
    lineage = resource.classification.lineage()
    return {
        "classification": {
            **classification_parts(resource),
            "code": resource.classification.code,
            "names": [node.name for node in lineage],
        },
        "name": resource.name,
        "code": resource.code,
        "provider": resource.provider.name,
        "provider_code": resource.provider_code,
        "summary": resource.summary,
        "format": resource.resource_format,
        "items": [
            {
                "name": item.name,
                "data_type": item.data_type,
                **({"length": item.length} if item.length else {}),
            }
            for item in resource.items.all()
        ],
        "sharing": {
            "type": resource.share_type,
            "type_label": resource.get_share_type_display(),
            "condition": resource.share_condition,
            "basis": resource.share_basis,
            "method": resource.share_method,
        },
        "opening": {"open": resource.open_to_public, "condition": resource.open_condition},
        "update_cycle": resource.update_cycle,
        "published_on": resource.published_on.isoformat() if resource.published_on else None,
        "related_codes": list(resource.related_codes or []),
        "extension": dict(resource.extension or {}),
    }
