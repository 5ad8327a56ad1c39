"""Dossier use cases: submit (with its ticket, one transaction), act on the status, read (audited).

The receipt, the public lookup and the counts are in reports.py; what a dossier looks like in views.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from queue_server.auth.principal import Principal, Role
from queue_server.auth.scope import OutOfScope, check_forward, offices_in_scope
from queue_server.auth.seats import seat_of
from queue_server.citizens.chip import face_for_browser
from queue_server.citizens.privacy import record_access
from queue_server.citizens.service import (
    check_personal_id,
    claim_valid_since,
    find_citizen,
    find_claim,
    lookup_citizen,
)
from queue_server.config import OfficeConfig
from queue_server.context import ServerContext
from queue_server.db.unit_of_work import OutboxPort, Transaction, UnitOfWork
from queue_server.documents.service import (
    DocumentService,
    card_read,
    first_use,
    is_on_file,
    is_used,
    is_valid_on,
    put_on_file,
)
from queue_server.domain.calendar import (
    add_working_days,
    business_day,
    local_time,
    working_days_between,
)
from queue_server.domain.dossiers import (
    FINAL_STATUSES,
    MAX_DAILY_SEQUENCE,
    DossierAction,
    DossierSnapshot,
    DossierStatus,
    apply_dossier_action,
    counting_start,
    due_date,
    format_dossier_code,
    parse_dossier_code,
)
from queue_server.domain.errors import DomainError, Forbidden, InvalidInput, NotFound
from queue_server.domain.forms import FieldError, validate_form
from queue_server.dossiers.access import case_seat, sees_full_ids
from queue_server.dossiers.repository import (
    dossier_not_found,
    find_by_code,
    format_code,
    load_dossier,
    next_dossier_sequence,
)
from queue_server.dossiers.views import DossierViews, links_of
from queue_server.procedures.catalogue import Catalogue, Procedure
from queue_server.sealing import DECLARATION, seal_json
from queue_server.sealing import PERSONAL_ID as SEALED_ID
from queue_server.tables.citizens import Citizen, CitizenClaim
from queue_server.tables.documents import Document
from queue_server.tables.dossiers import Dossier, DossierCheck, DossierDocument, DossierEvent
from queue_server.tables.tickets import Ticket
from queue_server.tickets.schemas import TicketView
from queue_server.tickets.service import TicketService

S = DossierStatus
A = DossierAction
CHECK_IDENTITY = "identity"


@dataclass(frozen=True)
class SubmitRequest:
    procedure: str
    personal_id: str
    form: dict[str, Any]
    documents: tuple[int, ...]
    idempotency_key: str
    priority: str | None = None
    office: str | None = None
    claim: str | None = None  # the token of POST /citizens: who the citizen said they were


@dataclass(frozen=True)
class ActRequest:
    reason: str | None = None
    note: str | None = None
    papers: tuple[str, ...] = ()
    documents: tuple[int, ...] = ()
    amount_vnd: int | None = None
    due_date: date | None = None  # extend: the new due date
    office: str | None = None  # forward: the competent office


@dataclass
class _Attached:
    document: Document
    reused: bool
    resupplied: bool


@dataclass
class _Papers:
    attached: list[_Attached] = field(default_factory=list)


class DossierService:
    def __init__(
        self,
        ctx: ServerContext,
        catalogue: Catalogue,
        tickets: TicketService,
        documents: DocumentService,
    ) -> None:
        self.ctx = ctx
        self.catalogue = catalogue
        self.tickets = tickets
        self.documents = documents
        self.views = DossierViews(catalogue, ctx.ids)

    # ---- catalogue -----------------------------------------------------------------------------

    def procedure(self, code: str) -> Procedure:
        procedure = self.catalogue.procedures.get(code.strip())
        if procedure is None:
            raise NotFound(
                "unknown_procedure",
                f"Không có thủ tục mã '{code}'.",
                f"Unknown procedure '{code}'.",
            )
        return procedure

    # ---- submit --------------------------------------------------------------------------------

    def submit(self, request: SubmitRequest, *, actor: Principal) -> tuple[dict[str, Any], TicketView, bool]:
        """Create the dossier and its ticket together; a known idempotency key answers the first ones."""
        procedure = self.procedure(request.procedure)
        office = self.tickets.office(request.office or actor.office)
        if not procedure.served_by(office.code):
            raise DomainError(
                "procedure_not_served",
                f"Đơn vị {office.name_vi} không giải quyết thủ tục này.",
                f"Office {office.code} does not handle this procedure.",
            )
        queue = self.tickets.queue(office, procedure.queue)
        personal_id = check_personal_id(request.personal_id)
        self.tickets.check_priority(request.priority)
        # Two kiosks sending the same key at once (PostgreSQL): the second run finds the first one's case.
        return UnitOfWork.retrying(
            self.ctx,
            lambda tx: self._submit_once(tx, request, procedure, office, queue.code, personal_id, actor),
        )

    def _submit_once(
        self,
        tx: Transaction,
        request: SubmitRequest,
        procedure: Procedure,
        office: OfficeConfig,
        queue_code: str,
        personal_id: str,
        actor: Principal,
    ) -> tuple[dict[str, Any], TicketView, bool]:
        session = tx.session
        day = business_day(tx.now, office.zone)
        existing = session.scalar(
            select(Dossier).where(
                Dossier.office == office.code, Dossier.idempotency_key == request.idempotency_key
            )
        )
        if existing is not None:
            return self._replay(tx, existing, procedure, personal_id)
        citizen = find_citizen(session, self.ctx.ids, personal_id)
        claim = self._claim_of(session, request, citizen, actor)
        form_values = self._validate_form(procedure, request.form, personal_id, day)
        self._name_from_form(procedure, form_values, claim)
        kiosk = (actor, claim) if actor.role is Role.KIOSK else None
        papers = self._resolve_papers(session, procedure, citizen, request.documents, day, kiosk=kiosk)
        ticket = self.tickets.issue_in(
            tx,
            actor=actor,
            office=office,
            queue=office.queues[queue_code],
            priority=request.priority,
            idempotency_key=None,
            appointment_at=None,
        )
        dossier = self._new_dossier(session, office, day, procedure, citizen, form_values, request, actor)
        dossier.ticket_id = ticket.id
        dossier.claim_id = claim.id if claim is not None else None
        self._attach(session, dossier, papers)
        self._audit(session, dossier, "submit", None, actor, counter=None, reason=None)
        self._emit(tx.outbox, dossier, "dossier.submitted")
        session.flush()
        return self.views.view(session, dossier, full=True), self.tickets.view(tx, ticket), True

    def _claim_of(
        self, session: Session, request: SubmitRequest, citizen: Citizen, actor: Principal
    ) -> CitizenClaim | None:
        claim = find_claim(session, request.claim, citizen, valid_since=claim_valid_since(self.ctx))
        if claim is None and actor.role is Role.KIOSK:
            raise InvalidInput(
                "claim_required",
                "Hãy quét căn cước hoặc nhập số định danh trước khi nộp hồ sơ.",
                "Identify the citizen first (POST /citizens) and send its 'claim' with the case.",
            )
        return claim

    def _name_from_form(
        self, procedure: Procedure, values: dict[str, Any] | None, claim: CitizenClaim | None
    ) -> None:
        """A typed number carries no name: the declaration's name becomes the claim's (never the person's)."""
        if claim is None or claim.full_name or procedure.form is None or not values:
            return
        for spec in procedure.form.fields:
            if spec.prefill == "citizen.full_name" and isinstance(values.get(spec.name), str):
                claim.full_name = " ".join(values[spec.name].split())[:120] or None
                return

    def _replay(
        self, tx: Transaction, existing: Dossier, procedure: Procedure, personal_id: str
    ) -> tuple[dict[str, Any], TicketView, bool]:
        session = tx.session
        citizen = session.get(Citizen, existing.citizen_id) if existing.citizen_id else None
        same_person = citizen is not None and citizen.personal_id_hash in self.ctx.ids.lookup_hashes(
            personal_id, SEALED_ID
        )
        if existing.procedure_code != procedure.code or not same_person:
            raise InvalidInput(
                "idempotency_key_reused",
                "Mã chống trùng này đã dùng cho một hồ sơ khác.",
                "This idempotency key was already used for a different dossier.",
            )
        ticket = session.get(Ticket, existing.ticket_id)
        assert ticket is not None
        return self.views.view(session, existing, full=True), self.tickets.view(tx, ticket), False

    def _validate_form(
        self, procedure: Procedure, data: dict[str, Any], personal_id: str, today: date
    ) -> dict[str, Any] | None:
        if procedure.form is None:
            if data:
                raise InvalidInput(
                    "form_not_expected",
                    "Thủ tục này không có tờ khai.",
                    "This procedure has no declaration form.",
                )
            return None
        result = validate_form(procedure.form, data, today=today)
        errors = list(result.errors)
        declared_id = result.values.get("personal_id")
        if declared_id is not None and declared_id != personal_id:
            errors.append(
                FieldError(
                    "personal_id",
                    "not_the_citizen",
                    "Số định danh trên tờ khai khác số trên căn cước đã quét.",
                    "The personal ID on the form differs from the scanned ID card.",
                )
            )
        if errors:
            names = ", ".join(error.field for error in errors)
            raise InvalidInput(
                "form_invalid",
                f"Tờ khai {procedure.form.code} chưa đúng ở các mục: {names}.",
                f"Form {procedure.form.code} has problems in: {names}.",
                fields=[error.as_dict() for error in errors],
            )
        return result.values

    def _resolve_papers(
        self,
        session: Session,
        procedure: Procedure,
        citizen: Citizen,
        document_ids: Sequence[int],
        today: date,
        already: Sequence[str] = (),
        kiosk: tuple[Principal, CitizenClaim | None] | None = None,
    ) -> _Papers:
        """Check every referenced document belongs to the citizen, fits the procedure and is valid today.
        At a kiosk: papers on file only for a card read, other uploads only the kiosk's own."""
        types = {paper.type.code: paper.type for paper in procedure.papers}
        result = _Papers()
        seen: set[str] = set(already)
        for document_id in dict.fromkeys(document_ids):
            document = session.get(Document, document_id)
            if document is None or document.citizen_id != citizen.id:
                code = "unknown_document" if document is None else "document_not_citizens"
                raise InvalidInput(
                    code,
                    f"Giấy tờ số {document_id} không có hoặc không thuộc công dân này.",
                    f"Document {document_id} does not exist or belongs to someone else.",
                    document=document_id,
                )
            doc_type = types.get(document.type_code)
            if doc_type is None:
                raise InvalidInput(
                    "document_wrong_type",
                    f"Giấy tờ số {document_id} không thuộc thành phần hồ sơ của thủ tục này.",
                    f"Document {document_id} is not one of this procedure's papers.",
                    document=document_id,
                )
            if document.type_code in seen:
                raise InvalidInput(
                    "document_duplicate",
                    f"Đã có giấy tờ loại '{doc_type.name_vi}' trong hồ sơ.",
                    f"The dossier already has a '{doc_type.name_en}'.",
                    document=document_id,
                )
            if not is_valid_on(document, today):
                raise InvalidInput(
                    "document_expired",
                    f"Giấy tờ '{doc_type.name_vi}' đã hết hạn; hãy nộp bản mới.",
                    f"The document '{doc_type.name_en}' has expired; supply a new one.",
                    document=document_id,
                )
            reused = is_on_file(document)
            if kiosk is not None and not _kiosk_may_attach(document, reused, *kiosk):
                raise InvalidInput(
                    "document_not_offered",
                    f"Giấy tờ số {document_id} không dùng được ở kiosk với số định danh nhập tay; "
                    "hãy chụp giấy tờ để nộp.",
                    f"Document {document_id} cannot be used at this kiosk for this identity; photograph it.",
                    document=document_id,
                )
            if (reused or is_used(document)) and not doc_type.reusable:
                raise InvalidInput(
                    "document_not_reusable",
                    f"Giấy tờ '{doc_type.name_vi}' chỉ dùng cho một hồ sơ; hãy nộp bản mới.",
                    f"The document '{doc_type.name_en}' serves one dossier only; supply a new one.",
                    document=document_id,
                )
            if not reused and is_used(document):
                raise InvalidInput(
                    "document_used",
                    f"Giấy tờ '{doc_type.name_vi}' đã dùng cho một hồ sơ khác chưa có kết quả "
                    "hoặc bị từ chối; hãy nộp bản mới.",
                    f"The document '{doc_type.name_en}' already served another dossier that has no result "
                    "or was refused; supply it again.",
                    document=document_id,
                )
            resupplied = not reused and doc_type.reusable and self._held_already(session, document, today)
            seen.add(document.type_code)
            result.attached.append(_Attached(document, reused, resupplied))
        return result

    def _held_already(self, session: Session, document: Document, today: date) -> bool:
        """Did the state already hold a valid paper of this type for this citizen (so it was re-supplied)?"""
        others = session.scalars(
            select(Document).where(
                Document.citizen_id == document.citizen_id,
                Document.type_code == document.type_code,
                Document.id != document.id,
            )
        )
        return any(is_on_file(other) and is_valid_on(other, today) for other in others)

    def _new_dossier(
        self,
        session: Session,
        office: OfficeConfig,
        day: date,
        procedure: Procedure,
        citizen: Citizen,
        form_values: dict[str, Any] | None,
        request: SubmitRequest,
        actor: Principal,
    ) -> Dossier:
        now = self.ctx.clock()
        sequence = next_dossier_sequence(session, office=office.code, day=day)
        if sequence > MAX_DAILY_SEQUENCE:
            raise DomainError(
                "dossier_numbers_exhausted",
                "Đã hết số hồ sơ trong ngày.",
                f"More than {MAX_DAILY_SEQUENCE} dossiers today; no more numbers.",
            )
        dossier = Dossier(
            code=format_dossier_code(office.code, day, sequence),
            office=office.code,
            business_day=day,
            sequence=sequence,
            procedure_code=procedure.code,
            citizen_id=citizen.id,
            status=S.NEW.value,
            form_data=seal_json(self.ctx.ids, form_values, DECLARATION),
            idempotency_key=request.idempotency_key,
            submitted_by=actor.label,
            submitted_at=now,
            papers_reused=0,
            papers_new=0,
            papers_resupplied=0,
            updated_at=now,
        )
        session.add(dossier)
        session.flush()
        return dossier

    def _attach(self, session: Session, dossier: Dossier, papers: _Papers) -> None:
        now = self.ctx.clock()
        for item in papers.attached:
            session.add(
                DossierDocument(
                    dossier_id=dossier.id,
                    document_id=item.document.id,
                    type_code=item.document.type_code,
                    reused=item.reused,
                    resupplied=item.resupplied,
                    added_at=now,
                )
            )
            first_use(item.document, now)
            dossier.papers_reused += int(item.reused)
            dossier.papers_new += int(not item.reused)
            dossier.papers_resupplied += int(item.resupplied)
        session.flush()

    # ---- acting --------------------------------------------------------------------------------

    def act(
        self, code: str, action: DossierAction, request: ActRequest, *, actor: Principal
    ) -> dict[str, Any]:
        with UnitOfWork(self.ctx) as tx:
            session = tx.session
            dossier = load_dossier(session, code, for_update=True)
            counter = case_seat(session, self.ctx.config, actor, dossier.office)
            procedure = self.procedure(dossier.procedure_code)
            snapshot = DossierSnapshot(
                S(dossier.status), received=dossier.received_at is not None, anywhere=procedure.anywhere
            )
            change = apply_dossier_action(snapshot, action, reason=request.reason)
            values: dict[str, Any] = {"status": change.to_status.value, "updated_at": self.ctx.clock()}
            source = dossier.office
            values.update(self._action_fields(session, dossier, procedure, action, request, actor))
            moved = session.execute(
                update(Dossier)
                .where(Dossier.id == dossier.id, Dossier.status == change.from_status.value)
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            if moved.rowcount != 1:  # type: ignore[attr-defined]
                raise DomainError(
                    "dossier_changed",
                    "Hồ sơ vừa được người khác cập nhật; hãy thử lại.",
                    "Changed meanwhile.",
                )
            session.refresh(dossier)
            data = _event_data(action, request)
            if action is A.FORWARD:  # the history says where it came from, for both offices to read
                data = {**(data or {}), "from_office": source, "to_office": dossier.office}
            reason = request.reason.strip() if request.reason else None
            self._audit(
                session, dossier, action.value, change.from_status.value, actor, counter, reason, data
            )
            self._emit(tx.outbox, dossier, f"dossier.{action.value.replace('-', '_')}")
            if action is A.FORWARD:  # the sending office's consoles hear that it left
                self._emit(tx.outbox, dossier, "dossier.forward", office=source)
            session.flush()  # the session does not autoflush: the view reads the new audit row
            return self.views.view(session, dossier, full=True, reveal=True, panel=True)

    def _action_fields(
        self,
        session: Session,
        dossier: Dossier,
        procedure: Procedure,
        action: DossierAction,
        request: ActRequest,
        actor: Principal,
    ) -> dict[str, Any]:
        values: dict[str, Any] = {}
        if request.reason and request.reason.strip():
            values["reason"] = request.reason.strip()[:500]
        if action is A.RECEIVE:
            values.update(self._reception(dossier, procedure))
        elif action is A.REQUEST_PAPERS:
            values["requested_papers"] = self._requested(request.papers)
        elif action is A.SUPPLY:
            self._supply(session, dossier, procedure, request.documents)
            values["requested_papers"] = []
        elif action is A.FINISH:
            self._file_checked_papers(session, dossier)
        elif action is A.EXTEND:
            values.update(self._extension(dossier, request.due_date))
        elif action is A.FORWARD:
            values["office"] = self._competent_office(dossier, request.office)
            check_forward(self.ctx.config, actor, dossier.office, values["office"])
        if action is A.SUPPLY and dossier.due_date is not None:
            values["due_date"] = self._due_after_pause(session, dossier)
        return values

    def _extension(self, dossier: Dossier, new_due: date | None) -> dict[str, Any]:
        if new_due is None or dossier.due_date is None or new_due <= dossier.due_date:
            raise InvalidInput(
                "bad_due_date",
                "Ngày hẹn mới phải sau ngày hẹn hiện tại.",
                "The new due date must be after the current one.",
            )
        return {"due_date": new_due, "original_due_date": dossier.original_due_date or dossier.due_date}

    def _competent_office(self, dossier: Dossier, target: str | None) -> str:
        offices = self.ctx.config.offices
        code = (target or "").strip().upper()
        if code not in offices or code == dossier.office:
            known = ", ".join(c for c in offices if c != dossier.office) or "—"
            raise InvalidInput(
                "bad_forward_office",
                f"Chọn đơn vị có thẩm quyền khác đơn vị hiện tại. Các đơn vị: {known}.",
                f"Choose a competent office other than the current one. Offices: {known}.",
            )
        return code

    def _due_after_pause(self, session: Session, dossier: Dossier) -> date | None:
        """The due date stops while papers are requested: it moves by the working days spent waiting."""
        asked = session.scalar(
            select(DossierEvent.at)
            .where(DossierEvent.dossier_id == dossier.id, DossierEvent.action == A.REQUEST_PAPERS.value)
            .order_by(DossierEvent.id.desc())
            .limit(1)
        )
        assert dossier.due_date is not None
        if asked is None:
            return dossier.due_date
        office = self.tickets.office(dossier.office)
        paused = working_days_between(
            business_day(asked, office.zone), business_day(self.ctx.clock(), office.zone), office.hours
        )
        return add_working_days(dossier.due_date, paused, office.hours) if paused else dossier.due_date

    def _file_checked_papers(self, session: Session, dossier: Dossier) -> None:
        """The case has its result: the papers an officer checked against the originals go on file."""
        checked = set(
            session.scalars(select(DossierCheck.subject).where(DossierCheck.dossier_id == dossier.id))
        )
        now = self.ctx.clock()
        for link in links_of(session, dossier):
            if link.type_code in checked and link.document_id is not None:
                document = session.get(Document, link.document_id)
                if document is not None and self.documents.document_type(document.type_code).reusable:
                    put_on_file(document, now)

    def _reception(self, dossier: Dossier, procedure: Procedure) -> dict[str, Any]:
        now = self.ctx.clock()
        office = self.tickets.office(dossier.office)
        received_local = local_time(now, office.zone)
        cutoff = self.catalogue.settings.count_from_next_day_after
        return {
            "received_at": now,
            "counting_from": counting_start(received_local, office.hours, cutoff),
            "due_date": due_date(received_local, procedure.legal_days, office.hours, cutoff),
        }

    def _requested(self, papers: Sequence[str]) -> list[str]:
        codes = [self.documents.document_type(code).code for code in papers]
        return list(dict.fromkeys(codes))

    def _supply(
        self, session: Session, dossier: Dossier, procedure: Procedure, document_ids: Sequence[int]
    ) -> None:
        if not document_ids:
            return  # the originals were shown at the counter
        citizen = session.get(Citizen, dossier.citizen_id) if dossier.citizen_id else None
        if citizen is None:
            raise dossier_not_found()
        today = business_day(self.ctx.clock(), self.tickets.office(dossier.office).zone)
        have = session.scalars(
            select(DossierDocument.type_code).where(DossierDocument.dossier_id == dossier.id)
        )
        papers = self._resolve_papers(session, procedure, citizen, document_ids, today, already=list(have))
        self._attach(session, dossier, papers)

    def _seat_of(self, session: Session, office: str, actor: Principal) -> int | None:
        return seat_of(session, office, actor)

    # ---- the officer's checks ------------------------------------------------------------------

    def set_check(self, code: str, subject: str, checked: bool, *, actor: Principal) -> dict[str, Any]:
        """Tick (or untick) "checked against the original" for one paper or for the identity."""
        with UnitOfWork(self.ctx) as tx:
            session = tx.session
            dossier = load_dossier(session, code, for_update=True)
            subject = self._check_subject(self.procedure(dossier.procedure_code), subject)
            if S(dossier.status) in FINAL_STATUSES:
                raise DomainError(
                    "dossier_closed",
                    "Hồ sơ đã kết thúc; không đối chiếu thêm được.",
                    "The dossier is closed; nothing more can be checked.",
                )
            existing = session.scalar(
                select(DossierCheck).where(
                    DossierCheck.dossier_id == dossier.id, DossierCheck.subject == subject
                )
            )
            counter = case_seat(session, self.ctx.config, actor, dossier.office)
            if checked == (existing is not None):
                return self.views.view(session, dossier, full=True, panel=True)
            if checked:
                session.add(
                    DossierCheck(
                        dossier_id=dossier.id,
                        subject=subject,
                        checked_by=actor.label,
                        checked_at=self.ctx.clock(),
                        counter=counter,
                    )
                )
            else:
                session.delete(existing)
            action = "check" if checked else "uncheck"
            self._audit(session, dossier, action, dossier.status, actor, counter, None, {"subject": subject})
            self._emit(tx.outbox, dossier, f"dossier.{action}")
            session.flush()
            return self.views.view(session, dossier, full=True, panel=True)

    def _check_subject(self, procedure: Procedure, subject: str) -> str:
        subject = subject.strip()
        if subject == CHECK_IDENTITY or subject.upper() in {p.type.code for p in procedure.papers}:
            return subject if subject == CHECK_IDENTITY else subject.upper()
        raise InvalidInput(
            "bad_check_subject",
            f"'{subject}' không phải giấy tờ của thủ tục này hay căn cước.",
            f"'{subject}' is neither a paper of this procedure nor the identity.",
        )

    # ---- reading -------------------------------------------------------------------------------

    def search(self, query: str, *, actor: Principal, office: str | None = None) -> list[dict[str, Any]]:
        """The office's cases by dossier code or by the citizen's 12-digit ID number (audited)."""
        text = query.strip()
        office_code = self.tickets.office(office or actor.office).code
        with UnitOfWork(self.ctx) as tx:
            session = tx.session
            if parse_dossier_code(text) is not None:
                found = find_by_code(session, format_code(text))
                mine = found is not None and (
                    found.office == office_code
                    or found.id in forwarded_from(session, office_code, [found.id])
                )
                dossiers = [found] if found is not None and mine else []
            elif text.isdigit() and len(text) == 12:
                citizen = lookup_citizen(session, self.ctx.ids, text)
                dossiers = (
                    []
                    if citizen is None
                    else list(
                        session.scalars(
                            select(Dossier)
                            .where(Dossier.office == office_code, Dossier.citizen_id == citizen.id)
                            .order_by(Dossier.id.desc())
                            .limit(20)
                        )
                    )
                )
                record_access(
                    session,
                    actor,
                    self.ctx.clock(),
                    "dossier.search",
                    citizen_id=citizen.id if citizen else None,
                )
            else:
                raise InvalidInput(
                    "bad_search",
                    "Nhập mã hồ sơ (ví dụ CAXTP-260310-0001) hoặc số định danh 12 chữ số.",
                    "Enter a dossier code (e.g. CAXTP-260310-0001) or a 12-digit personal ID.",
                )
            return [self.views.view(session, d, full=False) for d in dossiers]

    def get(self, code: str, *, actor: Principal) -> dict[str, Any]:
        with UnitOfWork(self.ctx) as tx:
            session = tx.session
            dossier = load_dossier(session, code)
            self._check_reader(session, dossier, actor)
            reveal = sees_full_ids(session, self.ctx.config, actor, dossier.office)
            record_access(
                session,
                actor,
                self.ctx.clock(),
                "dossier.read",
                citizen_id=dossier.citizen_id,
                dossier_code=dossier.code,
                detail="full ID" if reveal else None,
            )
            return self.views.view(session, dossier, full=True, reveal=reveal, panel=True)

    def _check_reader(self, session: Session, dossier: Dossier, actor: Principal) -> None:
        """A case is read inside its office's scope, or by the office that forwarded it (its history)."""
        scope = offices_in_scope(self.ctx.config, actor)
        if dossier.office in scope:
            return
        senders = {
            (data or {}).get("from_office")
            for data in session.scalars(
                select(DossierEvent.data).where(
                    DossierEvent.dossier_id == dossier.id, DossierEvent.action == A.FORWARD.value
                )
            )
        }
        if not senders & scope:
            raise OutOfScope(actor, dossier.office)

    def face_photo(self, code: str, *, actor: Principal) -> tuple[bytes, str]:
        """The chip's face photo claimed for the case, for whoever handles it (audited)."""
        with UnitOfWork(self.ctx) as tx:
            session = tx.session
            dossier = load_dossier(session, code)
            if not sees_full_ids(session, self.ctx.config, actor, dossier.office):
                raise Forbidden(
                    "not_handling_case",
                    "Chỉ cán bộ xử lý hồ sơ này mới được xem ảnh chân dung từ chip.",
                    "Only staff handling this case may see the chip's face photo.",
                )
            claim = session.get(CitizenClaim, dossier.claim_id) if dossier.claim_id else None
            if claim is None or claim.face_image is None or claim.face_format is None:
                raise NotFound(
                    "no_face_photo",
                    "Hồ sơ này không có ảnh chân dung đọc từ chip.",
                    "This case has no face photo read from a chip.",
                )
            record_access(
                session,
                actor,
                self.ctx.clock(),
                "dossier.face",
                citizen_id=dossier.citizen_id,
                dossier_code=code,
            )
            return face_for_browser(claim.face_image, claim.face_format)

    def list_dossiers(
        self,
        *,
        ticket_id: int | None = None,
        status: str | None = None,
        procedure: str | None = None,
        day: date | None = None,
        office: str | None = None,
        limit: int = 50,
        forwarded_out: bool = False,
        actor: Principal,
    ) -> list[dict[str, Any]]:
        """Names and masked IDs only; each listed case with a citizen is one audit row.
        `forwarded_out`: the cases this office sent to another office (they now belong to the receiver)."""
        code = self.tickets.office(office).code
        query = select(Dossier).where(Dossier.office == code)
        if forwarded_out:
            with UnitOfWork(self.ctx) as tx:
                sent = forwarded_from(tx.session, code)
            query = select(Dossier).where(Dossier.id.in_(sent), Dossier.office != code)
        if ticket_id is not None:
            query = query.where(Dossier.ticket_id == ticket_id)
        if status is not None:
            query = query.where(Dossier.status == S(status).value)
        if procedure is not None:
            query = query.where(Dossier.procedure_code == procedure)
        if day is not None:
            query = query.where(Dossier.business_day == day)
        with UnitOfWork(self.ctx) as tx:
            session = tx.session
            rows = list(session.scalars(query.order_by(Dossier.id.desc()).limit(limit)))
            for d in rows:
                if d.citizen_id is not None:
                    record_access(
                        session, actor, tx.now, "dossier.list", citizen_id=d.citizen_id, dossier_code=d.code
                    )
            return [self.views.view(session, d, full=False) for d in rows]

    # ---- internals -----------------------------------------------------------------------------

    def _audit(
        self,
        session: Session,
        dossier: Dossier,
        action: str,
        from_status: str | None,
        actor: Principal,
        counter: int | None,
        reason: str | None,
        data: dict[str, Any] | None = None,
    ) -> None:
        session.add(
            DossierEvent(
                dossier_id=dossier.id,
                at=self.ctx.clock(),
                action=action,
                from_status=from_status,
                to_status=dossier.status,
                actor=actor.label,
                actor_role=actor.role.value,
                counter=counter,
                reason=reason,
                data=data,
            )
        )

    def _emit(self, outbox: OutboxPort, dossier: Dossier, type_: str, office: str | None = None) -> None:
        # Consoles and dashboards read these: codes and statuses only, never names or ID numbers.
        outbox.add(
            type=type_,
            office=office or dossier.office,
            at=self.ctx.clock(),
            data={
                "dossier": {
                    "code": dossier.code,
                    "status": dossier.status,
                    "procedure": dossier.procedure_code,
                    "ticket_id": dossier.ticket_id,
                }
            },
        )


def _kiosk_may_attach(
    document: Document, on_file: bool, actor: Principal, claim: CitizenClaim | None
) -> bool:
    return card_read(claim) if on_file else document.created_by == actor.label


def _event_data(action: DossierAction, request: ActRequest) -> dict[str, Any] | None:
    data: dict[str, Any] = {}
    if request.note:
        data["note"] = request.note
    if action is A.REQUEST_PAPERS:
        data["papers"] = list(request.papers)
    if action is A.REQUEST_FEE and request.amount_vnd is not None:
        data["amount_vnd"] = request.amount_vnd
    return data or None


def forwarded_from(session: Session, office: str, among: Sequence[int] | None = None) -> set[int]:
    """The cases `office` forwarded to another office, read from their history (forwarding is rare)."""
    query = select(DossierEvent.dossier_id, DossierEvent.data).where(DossierEvent.action == A.FORWARD.value)
    if among is not None:
        query = query.where(DossierEvent.dossier_id.in_(among))
    return {row.dossier_id for row in session.execute(query) if (row.data or {}).get("from_office") == office}
