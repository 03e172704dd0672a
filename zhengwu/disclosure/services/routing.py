"""依申请公开办理机构: which office handles the requests addressed to a body. A body is routed only to an office
that has staff who can act, so that a request is never addressed to nobody; what goes wrong later (an account
deactivated, a role removed) is flagged on the routing page, on the 预警 page and by ``zhengwu disclosure routing``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from zhengwu.core.models import Organization
from zhengwu.core.services.audit import audit
from zhengwu.portal.cache import purge_sites_after_commit

from ..models import RequestRoute
from ..selectors.routing import request_handlers


@transaction.atomic
def set_request_route(
    *,
    organization: Organization,
    accepts_requests: bool,
    handling_office: Organization | None,
    actor: Any,
    http_request: Any = None,
) -> RequestRoute:
    """Route the requests to ``organization`` to ``handling_office`` (itself when None). Refused when the office
    is inactive or has nobody who can act on requests: the public form would offer a body that reaches nobody."""
    office = handling_office or organization
    if accepts_requests:
        if not office.is_active:
            raise ValidationError({"handling_office": [f"办理机构“{office.name}”已停用，请选择其他机构。"]})
        if not request_handlers(office):
            raise ValidationError(
                {
                    "handling_office": [
                        f"“{office.name}”没有可以办理政府信息公开申请的在职工作人员。请先为该机构的工作人员分配"
                        "“政务公开专员”“政务公开负责人”或“部门联络员”等有办理权限的角色，或改由其他机构办理。"
                    ]
                }
            )
    route = RequestRoute.objects.select_for_update().filter(organization=organization).first()
    before = {"accepts": route.accepts_requests, "office": route.office.name} if route is not None else None
    route = route or RequestRoute(organization=organization)
    route.accepts_requests = bool(accepts_requests)
    route.handling_office = office
    route.updated_by = actor if getattr(actor, "pk", None) else None
    route.save()
    audit(
        actor=actor,
        action="disclosure.routing.save",
        target=route,
        organization=organization,
        detail={"before": before, "accepts": route.accepts_requests, "office": office.name},
        request=http_request,
    )
    purge_sites_after_commit()  # the form's list of bodies and the guide pages show the routing
    return route
