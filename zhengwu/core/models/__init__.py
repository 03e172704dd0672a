from .audit import AuditChainHead, AuditLog
from .calendar import CalendarDay, CalendarRevision, CalendarYear
from .clock import CaseClock, ClockExtension, ClockPause, ClockPolicy
from .dispatch import (
    Assignment,
    Callback,
    CaseReply,
    DispatchEvent,
    DispatchLimit,
    ExtensionRequest,
    ReplyAttachment,
)
from .notifications import Delivery, Notification
from .numbering import NumberSequence
from .org import Organization, OrganizationKind
from .reorg import HostRedirect, Reorganization, ReorgKind, Succession
from .staff import Role, SeparatedDuty, Staff
from .tasks import WorkerHeartbeat
from .verification import RateCounter, SmsCode

__all__ = [
    "Assignment",
    "AuditChainHead",
    "AuditLog",
    "CalendarDay",
    "CalendarRevision",
    "CalendarYear",
    "Callback",
    "CaseClock",
    "CaseReply",
    "ClockExtension",
    "ClockPause",
    "ClockPolicy",
    "Delivery",
    "DispatchEvent",
    "DispatchLimit",
    "ExtensionRequest",
    "HostRedirect",
    "Notification",
    "NumberSequence",
    "Organization",
    "OrganizationKind",
    "RateCounter",
    "ReorgKind",
    "Reorganization",
    "ReplyAttachment",
    "Role",
    "SeparatedDuty",
    "SmsCode",
    "Staff",
    "Succession",
    "WorkerHeartbeat",
]
