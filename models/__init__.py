"""The union's data: typed SQLAlchemy models and the domain operations on them.

Operations take a session first and never commit: the caller owns the transaction.
"""
from models.base import Base
from models.conversation import Conversation
from models.inbound import InboundMessage
from models.outbox import OutboundMessage
from models.project import Attachment, Project, ProjectEvent
from models.round import Round
from models.unit import Target, Unit
from models.worker import Worker

__all__ = [
    "Attachment", "Base", "Conversation", "InboundMessage", "OutboundMessage", "Project",
    "ProjectEvent", "Round", "Target", "Unit", "Worker",
]
from models.corrections import SystemCorrection  # noqa: E402
from models.counter import RoundCounter  # noqa: E402
from models.lease import Lease, SchedulerJob  # noqa: E402 - added by the reminders issue
from models.token import RateSlot, StoredToken  # noqa: E402

__all__ += ["Lease", "RateSlot", "RoundCounter", "SchedulerJob", "StoredToken", "SystemCorrection"]
from models.account import Account  # noqa: E402 - the web pages' accounts
from models.audit import AuditEntry  # noqa: E402
from models.login_throttle import LoginFailures  # noqa: E402

__all__ += ["Account", "AuditEntry", "LoginFailures"]
from models.awards import Award, Objection  # noqa: E402 - the city review and its awards
from models.review_records import CityReview, ReviewAssignment  # noqa: E402

__all__ += ["Award", "CityReview", "Objection", "ReviewAssignment"]
from models.api_token import ApiToken  # noqa: E402 - the JSON API's tokens

__all__ += ["ApiToken"]
