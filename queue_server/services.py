"""The use-case services of one server process, built from a ServerContext."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from queue_server.appointments.service import AppointmentService
from queue_server.auth.service import AuthService
from queue_server.context import ServerContext
from queue_server.counters.service import CounterService
from queue_server.db.writes import WriteRunner
from queue_server.dossiers.wiring import CaseServices, build_case_services
from queue_server.events.service import EventService
from queue_server.kiosk_help.service import HelpCallService
from queue_server.queues.service import QueueService
from queue_server.stats.service import StatsService
from queue_server.tickets.service import TicketService


@dataclass
class Services:
    ctx: ServerContext
    auth: AuthService
    tickets: TicketService
    counters: CounterService
    queues: QueueService
    stats: StatsService
    appointments: AppointmentService
    cases: CaseServices  # procedures, citizens, documents, dossiers, ratings, purge
    writes: WriteRunner  # where write use cases of the HTTP API run
    events: EventService  # the event log: where it stands, what came after, alerts
    kiosk_help: HelpCallService  # kiosks' calls for a staff member


def build_services(ctx: ServerContext) -> Services:
    tickets = TicketService(ctx)
    return Services(
        ctx=ctx,
        auth=AuthService(db=ctx.db, clock=ctx.clock, token_ttl=timedelta(hours=ctx.settings.token_ttl_hours)),
        tickets=tickets,
        counters=CounterService(ctx),
        queues=QueueService(ctx, tickets),
        stats=StatsService(ctx),
        appointments=AppointmentService(ctx, tickets),
        cases=build_case_services(ctx, tickets),
        writes=WriteRunner(ctx.db),
        events=EventService(db=ctx.db, clock=ctx.clock, hub=ctx.hub, outbox=ctx.new_outbox),
        kiosk_help=HelpCallService(ctx),
    )
