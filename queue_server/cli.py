"""`motcua serve|demo|user add|device add|migrate|end-day` (+ purge, receipt from queue_server.dossiers.cli)."""

from __future__ import annotations

import argparse
import gc
import getpass
import os
import sys
from typing import Any

DEMO_PASSWORD = "motcua-demo"
DEMO_USERS = (
    ("admin", "admin", "Quản trị hệ thống"),
    ("giamsat", "supervisor", "Trưởng bộ phận Một cửa"),
    ("canbo1", "staff", "Nguyễn Văn An"),
    ("canbo2", "staff", "Trần Thị Bình"),
    ("canbo3", "staff", "Lê Văn Cường"),
    ("canbo4", "staff", "Phạm Thị Dung"),
)
DEMO_DEVICES = (("kiosk-demo", "kiosk", "demo-kiosk-key"), ("board-demo", "display", "demo-display-key"))


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    serve = subparsers.add_parser("serve", help="run the queue server (API, board, console)")
    _add_server_options(serve)
    serve.add_argument(
        "--demo", action="store_true", help="create demo accounts and keys (never in production)"
    )
    serve.set_defaults(handler=_serve)

    demo = subparsers.add_parser("demo", help="run the demo office on the embedded SQLite file")
    _add_server_options(demo)
    demo.set_defaults(handler=_demo)

    user = subparsers.add_parser("user", help="manage staff accounts")
    user_sub = user.add_subparsers(dest="user_command", required=True)
    add_user = user_sub.add_parser("add", help="add a person who signs in")
    add_user.add_argument("name")
    add_user.add_argument("--role", choices=("staff", "supervisor", "admin"), required=True)
    add_user.add_argument("--password", help="prompted for when not given")
    add_user.add_argument("--full-name", default="")
    add_user.add_argument("--office", default=None, help="their office code (default: the first office)")
    add_user.set_defaults(handler=_user_add)

    device = subparsers.add_parser("device", help="manage kiosks and display boards")
    device_sub = device.add_subparsers(dest="device_command", required=True)
    add_device = device_sub.add_parser("add", help="register a device; prints its key once, on the last line")
    add_device.add_argument("name")
    add_device.add_argument("--role", choices=("kiosk", "display"), required=True)
    add_device.add_argument("--office", default=None, help="its office code (default: the first office)")
    add_device.set_defaults(handler=_device_add)
    from queue_server.auth.cli import register as register_credential_commands

    register_credential_commands(user_sub, device_sub)  # list, disable/enable, passwd, reset, revoke, rotate

    migrate = subparsers.add_parser("migrate", help="bring the database up to the current schema")
    migrate.set_defaults(handler=_migrate)

    end_day = subparsers.add_parser("end-day", help="expire open tickets of past business days")
    end_day.set_defaults(handler=_end_day)

    from queue_server.dossiers.cli import register as register_dossier_commands

    register_dossier_commands(subparsers)  # purge, receipt

    from queue_server.citizens.cli import register as register_key_commands

    register_key_commands(subparsers)  # keys rotate

    from queue_server.messages.cli import register as register_message_commands

    register_message_commands(subparsers)  # messages send

    from queue_server.office_import import register as register_office_commands

    register_office_commands(subparsers)  # office import, office export


def _add_server_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default=None)
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument(
        "--config", default=None, help="config folder (default: MOTCUA_CONFIG_DIR or config/demo)"
    )
    parser.add_argument("--database-url", default=None, help="default: MOTCUA_DATABASE_URL")


def _serve(args: argparse.Namespace) -> int:
    from queue_server.commands import command_settings

    # Only the flag makes a demo: MOTCUA_DEMO left in an environment must not open demo accounts.
    settings = command_settings(args, demo=bool(args.demo))
    return _run_server(_with_served_public_url(settings) if args.demo else settings)


def _demo(args: argparse.Namespace) -> int:
    from queue_server.commands import command_settings

    overrides: dict[str, Any] = {"demo": True}
    if not args.database_url and "MOTCUA_DATABASE_URL" not in os.environ:
        overrides["database_url"] = "sqlite:///var/demo.sqlite3"
    return _run_server(_with_served_public_url(command_settings(args, **overrides)))


def _with_served_public_url(settings: Any) -> Any:
    """In the demo, printed addresses (receipts' QR, /tra-cuu) follow the port actually served, unless
    MOTCUA_PUBLIC_URL says otherwise."""
    if "MOTCUA_PUBLIC_URL" in os.environ:
        return settings
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host
    return settings.model_copy(update={"public_url": f"http://{host}:{settings.port}"})


def _run_server(settings: Any) -> int:
    import uvicorn

    from queue_server.app import create_app
    from queue_server.commands import command_context
    from queue_server.services import build_services

    if not settings.secret:
        print("motcua: MOTCUA_SECRET is empty; it keys the sealed ID numbers", file=sys.stderr)
        return 2
    problems = [] if settings.demo else _secret_problems(settings.secret)
    if problems:  # before the database is opened: migrations seal ID numbers with this secret
        print("motcua: refusing to start without --demo:", *problems, sep="\n  - ", file=sys.stderr)
        return 2
    ctx = command_context(settings)
    auth = build_services(ctx).auth
    if settings.demo:
        _ensure_demo_accounts(auth)
    elif auth.has_demo_accounts():
        print(
            "motcua: refusing to start without --demo:",
            "this database holds demo accounts with known passwords; use a fresh database",
            sep="\n  - ",
            file=sys.stderr,
        )
        return 2
    lock = _hold_serve_lock(ctx)
    if lock is False:
        return 2
    app = create_app(ctx)
    print(f"motcua: serving {ctx.config.default_office.name_vi} on http://{settings.host}:{settings.port}")
    print(f"motcua: API docs at http://{settings.host}:{settings.port}/docs")
    print(f"motcua: citizens follow their cases at {settings.public_url.rstrip('/')}/tra-cuu")
    _tune_garbage_collector()
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level="warning",
        access_log=False,  # paths can carry a citizen's ticket or case code; nobody reads them there
        ws_ping_interval=20,
    )
    return 0


def _hold_serve_lock(ctx: Any) -> object:
    """SQLite: the serve lock (None for PostgreSQL), or False after saying why another server holds it."""
    from pathlib import Path

    from queue_server.db.serve_lock import AlreadyServed, hold_serve_lock

    if not ctx.db.is_sqlite or not ctx.db.url.database or ctx.db.url.database == ":memory:":
        return None
    try:
        return hold_serve_lock(Path(ctx.db.url.database).resolve())
    except AlreadyServed as error:
        print(f"motcua: refusing to start: {error}", file=sys.stderr)
        return False


def _secret_problems(secret: str) -> list[str]:
    from queue_server.sealing import MIN_SECRET_BYTES
    from queue_server.settings import DEFAULT_SECRET

    if secret == DEFAULT_SECRET:
        return ["MOTCUA_SECRET is the default; set a long random value"]
    if len(secret.encode()) < MIN_SECRET_BYTES:
        return [
            f"MOTCUA_SECRET is shorter than {MIN_SECRET_BYTES} bytes; set a long random value "
            "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)"
        ]
    return []


def _tune_garbage_collector() -> None:
    """A request leaves short-lived cycles (ORM states, dependency graphs); Python's default collects the
    young generation every 700 allocations and walks the whole heap far too often. Freeze what start-up
    built (never garbage) and collect the young generation every 5,000: measured here, ~10 % more tickets
    a second than the default, and a shorter tail than every 50,000 (fewer, longer pauses)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(5_000, 20, 100)


def _ensure_demo_accounts(auth: Any) -> None:
    from queue_server.domain.errors import DomainError

    created = False
    for username, role, full_name in DEMO_USERS:
        try:
            auth.add_user(
                username=username, role=role, password=DEMO_PASSWORD, full_name=full_name, is_demo=True
            )
            created = True
        except DomainError:
            pass  # already there
    for name, role, key in DEMO_DEVICES:
        try:
            auth.add_device(name=name, role=role, key=key, is_demo=True)
            created = True
        except DomainError:
            pass
    print(
        "motcua: DEMO MODE — demo accounts "
        + ("created" if created else "present")
        + " (never use in production):"
    )
    print(f"  people: {', '.join(u for u, _, _ in DEMO_USERS)} — password '{DEMO_PASSWORD}'")
    print(f"  kiosk key: {DEMO_DEVICES[0][2]}   display key: {DEMO_DEVICES[1][2]}")


def _user_add(args: argparse.Namespace) -> int:
    from queue_server.auth.scope import known_office
    from queue_server.commands import command_services
    from queue_server.domain.errors import DomainError

    password = args.password
    if password is None:
        password = getpass.getpass("Mật khẩu / Password: ")
        if getpass.getpass("Nhập lại / Repeat: ") != password:
            print("motcua: the two passwords differ", file=sys.stderr)
            return 2
    services = command_services(args)
    try:
        principal = services.auth.add_user(
            username=args.name,
            role=args.role,
            password=password,
            full_name=args.full_name,
            office=known_office(services.ctx.config, args.office),
        )
    except DomainError as error:
        print(f"motcua: {error.message_en} / {error.message_vi}", file=sys.stderr)
        return 1
    print(f"added {principal.role.value} {principal.name} at office {principal.office}")
    return 0


def _device_add(args: argparse.Namespace) -> int:
    from queue_server.auth.scope import known_office
    from queue_server.commands import command_services
    from queue_server.domain.errors import DomainError

    services = command_services(args)
    try:
        office = known_office(services.ctx.config, args.office)
        key = services.auth.add_device(name=args.name, role=args.role, office=office)
    except DomainError as error:
        print(f"motcua: {error.message_en} / {error.message_vi}", file=sys.stderr)
        return 1
    print(f"added {args.role} {args.name.lower()} at office {office}; its key is shown once, keep it safe:")
    print(key)
    return 0


def _migrate(args: argparse.Namespace) -> int:
    from queue_server.commands import command_context, command_settings

    ctx = command_context(command_settings(args))
    print(f"database {ctx.db.url.render_as_string(hide_password=True)} is at the current schema")
    return 0


def _end_day(args: argparse.Namespace) -> int:
    from queue_server.commands import command_services

    services = command_services(args)
    total = sum(services.tickets.expire_stale(office=code) for code in services.ctx.config.offices)
    print(f"expired {total} open ticket(s) of past days")
    return 0
