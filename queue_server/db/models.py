"""Every model, imported in one place for Alembic and metadata creation."""

from queue_server.appointments.models import Appointment
from queue_server.auth.models import AccessRefusal, AuthToken, CredentialAudit, Device, User
from queue_server.citizens.models import Citizen, CitizenClaim, CitizenVerification, PersonalDataAccess
from queue_server.counters.models import CounterState
from queue_server.db.base import Base
from queue_server.documents.models import Document, DocumentPage
from queue_server.dossiers.models import Dossier, DossierCheck, DossierDocument, DossierEvent, DossierSequence
from queue_server.events.models import EventLog
from queue_server.kiosk_help.models import HelpCall
from queue_server.messages.models import MessageContact, OutboundMessage
from queue_server.phone.models import PhoneCode, RemoteTicket
from queue_server.ratings.models import Rating
from queue_server.tickets.models import Ticket, TicketEvent, TicketSequence, WaitingCount

__all__ = [
    "AccessRefusal",
    "Appointment",
    "AuthToken",
    "Base",
    "Citizen",
    "CitizenClaim",
    "CitizenVerification",
    "CounterState",
    "CredentialAudit",
    "Device",
    "Document",
    "DocumentPage",
    "Dossier",
    "DossierCheck",
    "DossierDocument",
    "DossierEvent",
    "DossierSequence",
    "EventLog",
    "HelpCall",
    "MessageContact",
    "OutboundMessage",
    "PersonalDataAccess",
    "PhoneCode",
    "Rating",
    "RemoteTicket",
    "Ticket",
    "TicketEvent",
    "TicketSequence",
    "User",
    "WaitingCount",
]
