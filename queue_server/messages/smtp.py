"""E-mail over SMTP (plain, STARTTLS or TLS as the URL says)."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

from queue_server.messages.port import OutgoingMessage, ReceiptHandler, SendFailed


class SmtpMessageSender:
    channel = "email"

    def __init__(
        self,
        *,
        host: str,
        port: int,
        sender: str,
        username: str = "",
        password: str = "",
        security: str = "none",  # none, starttls, tls
        timeout_s: float = 10.0,
    ) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.username, self.password, self.security = username, password, security
        self.timeout_s = timeout_s

    def send(self, message: OutgoingMessage) -> str:
        mail = EmailMessage()
        mail["From"], mail["To"] = self.sender, message.to
        mail["Subject"] = message.subject or "Thông báo"
        domain = self.sender.rpartition("@")[2] or "motcua.local"
        mail["Message-ID"] = make_msgid(idstring=message.key.replace(":", "."), domain=domain)
        mail.set_content(message.text)
        try:
            connection = self._connect()
        except (OSError, smtplib.SMTPException) as error:
            raise SendFailed(f"SMTP unreachable: {error}", retry=True) from None
        try:
            connection.send_message(mail)
        except smtplib.SMTPRecipientsRefused as error:
            raise SendFailed(f"SMTP refused the address: {error}", retry=False) from None
        except smtplib.SMTPResponseException as error:
            raise SendFailed(f"SMTP {error.smtp_code}", retry=400 <= error.smtp_code < 500) from None
        except (OSError, smtplib.SMTPException) as error:
            raise SendFailed(f"SMTP cut off: {error}", retry=False, maybe_sent=True) from None
        finally:
            try:
                connection.quit()
            except (OSError, smtplib.SMTPException):
                connection.close()
        return str(mail["Message-ID"])

    def _connect(self) -> smtplib.SMTP:
        if self.security == "tls":
            connection: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout_s)
        else:
            connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout_s, local_hostname="motcua")
            if self.security == "starttls":
                connection.starttls()
        if self.username:
            connection.login(self.username, self.password)
        return connection

    def poll_receipts(self, handler: ReceiptHandler) -> None:
        """SMTP gives no delivery receipts; "sent" means the mail server took it."""

    def close(self) -> None:
        pass
