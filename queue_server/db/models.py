"""Every model, imported in one place for Alembic and metadata creation."""

from queue_server.appointments.models import Appointment
from queue_server.auth.models import AuthToken, Device, User
from queue_server.citizens.models import Citizen, CitizenClaim, CitizenVerification, PersonalDataAccess
from queue_server.counters.models import CounterState
from queue_server.db.base import Base
from queue_server.documents.models import Document, DocumentPage
from queue_server.dossiers.models import Dossier, DossierCheck, DossierDocument, DossierEvent, DossierSequence
from queue_server.events.models import EventLog
from queue_server.ratings.models import Rating
from queue_server.tickets.models import Ticket, TicketEvent, TicketSequence, WaitingCount

__all__ = [
    "Appointment",
    "AuthToken",
    "Base",
    "Citizen",
    "CitizenClaim",
    "CitizenVerification",
    "CounterState",
    "Device",
    "Document",
    "DocumentPage",
    "Dossier",
    "DossierCheck",
    "DossierDocument",
    "DossierEvent",
    "DossierSequence",
    "EventLog",
    "PersonalDataAccess",
    "Rating",
    "Ticket",
    "TicketEvent",
    "TicketSequence",
    "User",
    "WaitingCount",
]
