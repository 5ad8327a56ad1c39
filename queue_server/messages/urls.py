"""A message sender from a URL in phone.toml; the scheme picks the adapter (like serial_for_url).

smpp://system_id:password@host:2775?source=UBND-XA     SMS over SMPP (brand name as source)
zns://host/path?token=…   zns+http://127.0.0.1:8080?token=…   Zalo ZNS (https unless +http)
smtp://user:pass@host:587?from=a@b.vn&security=starttls   e-mail
fake://                                                 in memory (demo, tests)
"""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

from queue_server.messages.port import MessageSender


class BadSenderUrl(ValueError):
    pass


def sender_for_url(url: str, *, zns_templates: dict[str, str] | None = None) -> MessageSender:
    parts = urlsplit(url)
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    timeout_s = float(query.get("timeout", "5"))
    if parts.scheme == "smpp":
        from queue_server.messages.smpp import SmppMessageSender

        if not parts.hostname or not parts.username:
            raise BadSenderUrl(f"{url!r}: an SMPP URL needs smpp://system_id:password@host:port")
        return SmppMessageSender(
            host=parts.hostname,
            port=parts.port or 2775,
            system_id=unquote(parts.username),
            password=unquote(parts.password or ""),
            source=query.get("source", "MOTCUA"),
            timeout_s=timeout_s,
        )
    if parts.scheme in ("zns", "zns+http"):
        from queue_server.messages.zalo import ZaloZnsMessageSender

        if not parts.hostname or "token" not in query:
            raise BadSenderUrl(f"{url!r}: a ZNS URL needs a host and ?token=<access token>")
        web = "http" if parts.scheme == "zns+http" else "https"
        return ZaloZnsMessageSender(
            base_url=f"{web}://{parts.netloc.rpartition('@')[2]}{parts.path}",
            access_token=query["token"],
            templates=dict(zns_templates or {}),
            timeout_s=timeout_s,
        )
    if parts.scheme == "smtp":
        from queue_server.messages.smtp import SmtpMessageSender

        if not parts.hostname or "from" not in query:
            raise BadSenderUrl(f"{url!r}: an SMTP URL needs a host and ?from=<sender address>")
        security = query.get("security", "none")
        if security not in ("none", "starttls", "tls"):
            raise BadSenderUrl(f"{url!r}: security must be none, starttls or tls")
        return SmtpMessageSender(
            host=parts.hostname,
            port=parts.port or 25,
            sender=query["from"],
            username=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            security=security,
            timeout_s=timeout_s,
        )
    if parts.scheme == "fake":
        from queue_server.messages.fake import FakeMessageSender

        return FakeMessageSender()
    raise BadSenderUrl(f"{url!r}: unknown message sender (smpp://, zns://, zns+http://, smtp://, fake://)")
