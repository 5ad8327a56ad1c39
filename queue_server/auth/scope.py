"""Everyone in their place: which offices a person or a device may act in, asked the same way by every route.

Staff and devices act in their own office; a supervisor or admin in their office and every office below it
(the tree of `parent` in offices.toml). An account with no office belongs to the config's first office.
"""

from __future__ import annotations

from queue_server.auth.principal import Principal
from queue_server.config import SystemConfig
from queue_server.db.unit_of_work import Storage, UnitOfWork
from queue_server.domain.errors import Forbidden, InvalidInput
from queue_server.tables.auth import AccessRefusal


class OutOfScope(Forbidden):
    """Acting outside one's offices; the HTTP layer records each one in access_refusal."""

    def __init__(self, actor: Principal, office: str) -> None:
        super().__init__(
            "office_out_of_scope",
            f"Tài khoản/thiết bị '{actor.name}' không được làm việc tại đơn vị {office}.",
            f"'{actor.name}' may not act in office {office}.",
            office=office,
        )
        self.actor = actor
        self.office = office


class ForwardOutOfTree(OutOfScope):
    """A case sent to an office of another tree (another province): refused and audited like any crossing."""

    def __init__(self, actor: Principal, source: str, office: str, allowed: frozenset[str]) -> None:
        Forbidden.__init__(
            self,
            "forward_out_of_tree",
            f"Không chuyển được hồ sơ từ {source} đến {office}: chỉ chuyển trong cùng tỉnh "
            f"(các đơn vị: {', '.join(sorted(allowed)) or '—'}).",
            f"A case of {source} cannot go to {office}: only to offices of the same province tree.",
            office=office,
            source=source,
        )
        self.actor = actor
        self.office = office


def forward_targets(config: SystemConfig, source: str) -> frozenset[str]:
    """Where a case of `source` may be forwarded: any other office under the same root (the province),
    up, down or across the tree — the competent office of a procedure accepted regardless of residence."""
    chain = config.ancestors(source)
    root = chain[-1] if chain else source
    return config.subtree(root) - {source}


def check_forward(config: SystemConfig, actor: Principal, source: str, target: str) -> None:
    allowed = forward_targets(config, source)
    if target not in allowed:
        raise ForwardOutOfTree(actor, source, target, allowed)


def home_office(config: SystemConfig, actor: Principal) -> str:
    return actor.office or config.default_office.code


def offices_in_scope(config: SystemConfig, actor: Principal) -> frozenset[str]:
    home = home_office(config, actor)
    return config.subtree(home) if actor.is_manager else frozenset({home})


def acting_office(config: SystemConfig, actor: Principal, office: str | None) -> str:
    """The office a request acts in (the actor's own when it names none), refused when outside their scope.
    An office the config does not know passes through: the service answers 404 for it."""
    code = (office or "").strip().upper() or home_office(config, actor)
    if code in config.offices and code not in offices_in_scope(config, actor):
        raise OutOfScope(actor, code)
    return code


def known_office(config: SystemConfig, office: str | None) -> str:
    """An office code given to `user add`/`device add`: one of offices.toml; none given is the first office."""
    if office is None:
        return config.default_office.code
    code = office.strip().upper()
    if code not in config.offices:
        raise InvalidInput(
            "unknown_office",
            f"Không có đơn vị {office} trong offices.toml (có: {', '.join(config.offices)}).",
            f"No office {office} in offices.toml (known: {', '.join(config.offices)}).",
        )
    return code


def check_office(config: SystemConfig, actor: Principal, office: str) -> None:
    acting_office(config, actor, office)


def record_refusal(storage: Storage, refusal: OutOfScope, route: str | None) -> None:
    """A row per refusal, in its own transaction (the refused one was rolled back); never a log line."""
    actor = refusal.actor
    with UnitOfWork(storage) as tx:
        tx.session.add(
            AccessRefusal(
                at=tx.now,
                actor=actor.label[:64],
                actor_role=actor.role.value,
                actor_office=actor.office,
                office=refusal.office[:16],
                route=(route or actor.route or "")[:120] or None,
            )
        )
