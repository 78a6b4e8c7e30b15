"""Email through the shop's SMTP provider (aiosmtplib): STARTTLS or implicit TLS, login, timeouts."""

from __future__ import annotations

from shopcare.channels.base import Channel
from shopcare.errors import ChannelDown, PermanentChannelError, TemporaryChannelError
from shopcare.notify.message import OutboxMessage
from shopcare.notify.mime import email_bytes, envelope_sender, message_id, rcpt_address, shop_domain


class SmtpChannel(Channel):
    name = "email"

    def __init__(self, cfg, password: str | None) -> None:
        self.cfg = cfg
        e = cfg.email
        self.host, self.port, self.security = e.host, e.port, e.security
        self.username = e.username or None
        self._password = password
        self.timeout = e.timeout
        self.ca_file = e.ca_file or None
        self.smtp = None

    def __repr__(self) -> str:  # never show the password
        return f"SmtpChannel({self.host}:{self.port}, {self.security})"

    async def open(self) -> None:
        import aiosmtplib

        smtp = aiosmtplib.SMTP(
            hostname=self.host, port=self.port, timeout=self.timeout,
            use_tls=self.security == "tls", start_tls=self.security == "starttls",
            username=self.username, password=self._password if self.username else None,
            cert_bundle=self.ca_file,
        )
        try:
            await smtp.connect()
        except aiosmtplib.SMTPAuthenticationError as exc:
            raise ChannelDown(f"SMTP login to {self.host} refused: {exc.code} {exc.message}") from None
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise ChannelDown(f"cannot reach SMTP server {self.host}:{self.port}: {exc}") from None
        self.smtp = smtp

    async def send(self, msg: OutboxMessage) -> str:
        import aiosmtplib

        if self.smtp is None or not self.smtp.is_connected:
            await self.open()
        data = email_bytes(msg, self.cfg)
        try:
            await self.smtp.sendmail(envelope_sender(self.cfg), [rcpt_address(msg.to)], data)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            first = exc.recipients[0] if exc.recipients else None
            code = first.code if first else 550
            text = f"recipient {msg.to} refused: {code} {first.message if first else ''}".strip()
            if 400 <= code < 500:
                raise TemporaryChannelError(text) from None
            raise PermanentChannelError(text) from None
        except aiosmtplib.SMTPSenderRefused as exc:
            self.smtp = None
            raise ChannelDown(f"the server refused our sender address {exc.sender}: {exc.code} {exc.message}") from None
        except aiosmtplib.SMTPResponseException as exc:
            if exc.code in (421, 454):  # the server is closing the channel or cannot take mail now
                await self._drop()
                raise ChannelDown(f"SMTP server {self.host}: {exc.code} {exc.message}") from None
            if 400 <= exc.code < 500:
                raise TemporaryChannelError(f"SMTP {exc.code} {exc.message}") from None
            raise PermanentChannelError(f"SMTP {exc.code} {exc.message}") from None
        except (aiosmtplib.SMTPException, OSError) as exc:
            await self._drop()
            raise ChannelDown(f"SMTP server {self.host}:{self.port}: {type(exc).__name__}: {exc}") from None
        return message_id(msg, shop_domain(self.cfg))

    async def _drop(self) -> None:
        smtp, self.smtp = self.smtp, None
        if smtp is not None:
            try:
                smtp.close()
            except Exception:
                pass

    async def close(self) -> None:
        smtp, self.smtp = self.smtp, None
        if smtp is not None and smtp.is_connected:
            try:
                await smtp.quit()
            except Exception:
                smtp.close()
