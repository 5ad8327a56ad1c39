"""`motcua user list|disable|enable|passwd|reset` and `motcua device list|revoke|rotate`.

The server process notices a change made here within auth.service.CREDENTIAL_CACHE (10 s); over the API
(admins) it takes effect at once in that process.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any


def register(user_sub: argparse._SubParsersAction[Any], device_sub: argparse._SubParsersAction[Any]) -> None:
    user_sub.add_parser("list", help="list the accounts").set_defaults(handler=_user_list)
    for command, help_text in (
        ("disable", "stop an account signing in and end its sessions now"),
        ("enable", "let a disabled account sign in again"),
        ("reset", "set a new random password (printed once) and end the account's sessions"),
    ):
        parser = user_sub.add_parser(command, help=help_text)
        parser.add_argument("name")
        parser.set_defaults(handler=_user_change, change=command)
    passwd = user_sub.add_parser("passwd", help="set a new password and end the account's sessions")
    passwd.add_argument("name")
    passwd.add_argument("--password", help="prompted for when not given")
    passwd.set_defaults(handler=_user_passwd)

    device_sub.add_parser("list", help="list kiosks and boards").set_defaults(handler=_device_list)
    for command, help_text in (
        ("revoke", "stop a device key working"),
        ("rotate", "give a device a new key (printed once, on the last line); the old one stops working"),
    ):
        parser = device_sub.add_parser(command, help=help_text)
        parser.add_argument("name")
        parser.set_defaults(handler=_device_change, change=command)


def _lifecycle(args: argparse.Namespace) -> Any:
    from queue_server.auth.lifecycle import CredentialLifecycle
    from queue_server.commands import command_services

    return CredentialLifecycle(command_services(args).auth)


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no name for this uid (a container)
        return "cli:unknown"


def _failing(action: Any) -> int:
    from queue_server.domain.errors import DomainError

    try:
        action()
    except DomainError as error:
        print(f"motcua: {error.message_en} / {error.message_vi}", file=sys.stderr)
        return 1
    return 0


def _user_list(args: argparse.Namespace) -> int:
    for user in _lifecycle(args).users():
        state = "active" if user["active"] else "DISABLED"
        print(f"{user['username']:<24} {user['role']:<11} {state:<9} {user['full_name']}")
    return 0


def _user_change(args: argparse.Namespace) -> int:
    lifecycle = _lifecycle(args)

    def change() -> None:
        if args.change == "reset":
            password = lifecycle.reset_password(username=args.name, actor=_actor())
            print(f"new password for {args.name.lower()} (shown once; sessions ended):")
            print(password)
        else:
            lifecycle.set_active(username=args.name, active=args.change == "enable", actor=_actor())
            print(f"{args.change}d {args.name.lower()}")

    return _failing(change)


def _user_passwd(args: argparse.Namespace) -> int:
    password = args.password
    if password is None:
        password = getpass.getpass("Mật khẩu mới / New password: ")
        if getpass.getpass("Nhập lại / Repeat: ") != password:
            print("motcua: the two passwords differ", file=sys.stderr)
            return 2
    lifecycle = _lifecycle(args)

    def change() -> None:
        lifecycle.set_password(username=args.name, password=password, actor=_actor())
        print(f"password of {args.name.lower()} changed; its sessions ended")

    return _failing(change)


def _device_list(args: argparse.Namespace) -> int:
    for device in _lifecycle(args).devices():
        state = "REVOKED" if device["revoked"] else "active"
        print(f"{device['name']:<24} {device['role']:<8} {state:<8} {device['office'] or '-'}")
    return 0


def _device_change(args: argparse.Namespace) -> int:
    lifecycle = _lifecycle(args)

    def change() -> None:
        if args.change == "rotate":
            key = lifecycle.rotate_device(name=args.name, actor=_actor())
            print(f"new key for {args.name.lower()}; the old key no longer works. Shown once, keep it safe:")
            print(key)
        else:
            lifecycle.revoke_device(name=args.name, actor=_actor())
            print(f"revoked {args.name.lower()}")

    return _failing(change)
