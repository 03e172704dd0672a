"""Organization scoping: what a staff member sees and changes is limited to their organization's subtree.

Every list, detail view, chooser, export and statistic that shows organization-owned records goes through this
module, so that the rule is written once:

- a superuser, and a staff member holding the county-wide permission ``core.access_all_organizations`` (given to
  the 三员, the 12345 operators…), see everything;
- any other staff member sees the records of their own organization and of the organizations below it;
- a staff member without an organization sees nothing.

``org_field`` names the path from the model to an :class:`~zhengwu.core.models.Organization`, as in a queryset
lookup: ``"organization"``, ``"request__lead_unit"``; a tuple of paths means "any of them" (a work order is visible
to its lead unit and to its assisting units); ``""`` means the queryset *is* of organizations.

Typical uses::

    letters = scope_queryset(Letter.objects.all(), request.user, org_field="assigned_unit")
    letter = get_object_in_scope_or_404(Letter.objects.all(), request.user, pk=pk, org_field="assigned_unit")

    class LetterViewSet(OrgScopedViewSetMixin, ModelViewSet):
        model = Letter
        scope_org_field = "assigned_unit"

    register_permission_policy(Letter, OrgScopedPermissionPolicy(Letter, org_field="assigned_unit"))
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from wagtail.permission_policies import ModelPermissionPolicy

COUNTY_WIDE_PERMISSION = "core.access_all_organizations"

OrgField = str | tuple[str, ...] | list[str]


def has_county_wide_access(user: Any) -> bool:
    """True for superusers and holders of ``core.access_all_organizations`` (active accounts only)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or user.has_perm(COUNTY_WIDE_PERMISSION)


def scope_root(user: Any):
    """The organization whose subtree ``user`` may see, or ``None`` (see everything / nothing: check
    :func:`has_county_wide_access` first)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    organization_id = getattr(user, "organization_id", None)
    if organization_id is None:
        return None
    cached = getattr(user, "_scope_root_cache", None)
    if cached is not None and cached.pk == organization_id:
        return cached
    from .models import Organization

    root = Organization.objects.filter(pk=organization_id).only("pk", "path", "depth").first()
    user._scope_root_cache = root
    return root


def _fields(org_field: OrgField) -> list[str]:
    if isinstance(org_field, str):
        return [org_field]
    return list(org_field)


def _path_lookup(field: str) -> str:
    return f"{field}__path__startswith" if field else "path__startswith"


def _crosses_many_relation(model: type[models.Model], field_path: str) -> bool:
    current = model
    for name in [part for part in field_path.split("__") if part]:
        field = current._meta.get_field(name)
        if field.many_to_many or field.one_to_many:
            return True
        if field.related_model is None:
            return False
        current = field.related_model
    return False


def scope_queryset(qs: QuerySet, user: Any, org_field: OrgField = "organization") -> QuerySet:
    """Limit ``qs`` to the rows ``user`` may see (see the module docstring for ``org_field``)."""
    if has_county_wide_access(user):
        return qs
    root = scope_root(user)
    if root is None or not root.path:
        return qs.none()
    fields = _fields(org_field)
    condition = Q()
    for field in fields:
        condition |= Q(**{_path_lookup(field): root.path})
    if len(fields) > 1 or any(_crosses_many_relation(qs.model, field) for field in fields):
        # A join through a many-valued relation would repeat rows; a subquery on the primary key does not, and
        # unlike distinct() it keeps any ordering the caller chose.
        return qs.filter(pk__in=qs.model._default_manager.filter(condition).values("pk"))
    return qs.filter(condition)


def _direct_organization(obj: models.Model, field: str) -> tuple[bool, Any]:
    """``(True, organization)`` when ``field`` can be read without a query path (the object itself or a forward
    foreign key); ``(False, None)`` when the database must be asked."""
    if not field:
        return True, obj
    if "__" in field:
        return False, None
    try:
        model_field = obj._meta.get_field(field)
    except FieldDoesNotExist:
        return False, None
    if model_field.concrete and (model_field.many_to_one or model_field.one_to_one):
        return True, getattr(obj, field)
    return False, None


def is_in_scope(obj: models.Model, user: Any, org_field: OrgField = "organization") -> bool:
    """Whether ``user`` may see ``obj`` (an organization-owned record, or an organization when ``org_field``
    is ``""``)."""
    if has_county_wide_access(user):
        return True
    root = scope_root(user)
    if root is None or not root.path:
        return False
    needs_query = []
    for field in _fields(org_field):
        direct, org = _direct_organization(obj, field)
        if not direct:
            needs_query.append(field)
        elif org is not None and getattr(org, "path", "").startswith(root.path):
            return True
    if needs_query and obj.pk is not None:
        qs = type(obj)._default_manager.filter(pk=obj.pk)
        return scope_queryset(qs, user, tuple(needs_query)).exists()
    return False


def get_object_in_scope_or_404(
    qs: QuerySet | type[models.Model], user: Any, *, org_field: OrgField = "organization", **lookup: Any
) -> models.Model:
    """Like ``get_object_or_404``, but a record outside the user's scope is "not found" too, so that its
    existence is not disclosed."""
    if isinstance(qs, type):
        qs = qs._default_manager.all()
    return get_object_or_404(scope_queryset(qs, user, org_field), **lookup)


def limit_organization_choices(field: Any, user: Any) -> None:
    """Restrict a form field choosing organizations (ModelChoiceField or ModelMultipleChoiceField) to the
    user's subtree, active organizations only."""
    field.queryset = scope_queryset(field.queryset.filter(is_active=True), user, org_field="")


# --- Wagtail admin -----------------------------------------------------------------------------------------------


class OrgScopedIndexViewMixin:
    """For a Wagtail ``IndexView``: list only the rows in the user's scope."""

    scope_org_field: OrgField = "organization"

    def get_base_queryset(self):
        return scope_queryset(super().get_base_queryset(), self.request.user, self.scope_org_field)


class OrgScopedObjectViewMixin:
    """For Wagtail views that load one object (edit, delete, inspect, history, usage, copy): an object outside
    the user's scope is answered with 404, whatever URL was typed."""

    scope_org_field: OrgField = "organization"

    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        if not is_in_scope(obj, self.request.user, self.scope_org_field):
            raise Http404("不在您的机构范围内。")
        return obj


class OrgScopedViewSetMixin:
    """For a Wagtail ``ModelViewSet``: applies the two view mixins above to every view the viewset builds.

    Set ``scope_org_field`` on the viewset. Forms still need their organization choices limited
    (:func:`limit_organization_choices`), since what a new record belongs to is the form's business.
    """

    scope_org_field: OrgField = "organization"

    def construct_view(self, view_class, **kwargs):
        return super().construct_view(scoped_view_class(view_class, self.scope_org_field), **kwargs)


def scoped_view_class(view_class: type, org_field: OrgField) -> type:
    """A subclass of a Wagtail view class that applies organization scoping."""
    from wagtail.admin.views.generic.models import IndexView

    if getattr(view_class, "_org_scoped", False):
        return view_class
    if issubclass(view_class, IndexView):
        mixin: type = OrgScopedIndexViewMixin
    elif hasattr(view_class, "get_object"):
        mixin = OrgScopedObjectViewMixin
    else:
        return view_class
    return type(
        f"OrgScoped{view_class.__name__}",
        (mixin, view_class),
        {"scope_org_field": org_field, "_org_scoped": True, "__module__": view_class.__module__},
    )


class OrgScopedPermissionPolicy(ModelPermissionPolicy):
    """Model permissions (add/change/delete/view) combined with organization scope for instance checks, so that
    Wagtail's buttons, choosers and bulk actions agree with the scoped views."""

    def __init__(self, model, *, org_field: OrgField = "organization", auth_model=None):
        super().__init__(model, auth_model=auth_model)
        self.org_field = org_field

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action) and is_in_scope(instance, user, self.org_field)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return self.user_has_any_permission(user, actions) and is_in_scope(instance, user, self.org_field)

    def instances_user_has_permission_for(self, user, action):
        return scope_queryset(super().instances_user_has_permission_for(user, action), user, self.org_field)

    def instances_user_has_any_permission_for(self, user, actions):
        return scope_queryset(
            super().instances_user_has_any_permission_for(user, actions), user, self.org_field
        )
