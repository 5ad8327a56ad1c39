"""Every ORM table class, imported in one place: relationship strings resolve, Alembic sees all metadata."""

from queue_server.db.base import Base
from queue_server.tables.appointments import Appointment
from queue_server.tables.auth import AccessRefusal, AuthToken, CredentialAudit, Device, User
from queue_server.tables.citizens import Citizen, CitizenClaim, CitizenVerification, PersonalDataAccess
from queue_server.tables.counters import CounterState
from queue_server.tables.documents import Document, DocumentPage
from queue_server.tables.dossiers import Dossier, DossierCheck, DossierDocument, DossierEvent, DossierSequence
from queue_server.tables.events import EventLog, OpenAlert
from queue_server.tables.kiosk_help import HelpCall
from queue_server.tables.messages import MessageContact, OutboundMessage
from queue_server.tables.phone import PhoneCode, RemoteTicket
from queue_server.tables.ratings import Rating
from queue_server.tables.tickets import Ticket, TicketEvent, TicketSequence, WaitingCount

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
    "OpenAlert",
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
