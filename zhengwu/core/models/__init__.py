from .audit import AuditChainHead, AuditLog
from .calendar import CalendarDay, CalendarRevision, CalendarYear
from .clock import CaseClock, ClockExtension, ClockPause, ClockPolicy
from .notifications import Delivery, Notification
from .numbering import NumberSequence
from .org import Organization, OrganizationKind
from .staff import Role, SeparatedDuty, Staff

__all__ = [
    "AuditChainHead",
    "AuditLog",
    "CalendarDay",
    "CalendarRevision",
    "CalendarYear",
    "CaseClock",
    "ClockExtension",
    "ClockPause",
    "ClockPolicy",
    "Delivery",
    "Notification",
    "NumberSequence",
    "Organization",
    "OrganizationKind",
    "Role",
    "SeparatedDuty",
    "Staff",
]
