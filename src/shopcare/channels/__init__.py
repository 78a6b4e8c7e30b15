"""The ways out: email (SMTP, or a local Maildir) and SMS (SMSAPI, or a local file).

Only this package and the mailbox sources know which real part is configured; everything else
talks to a Channel.
"""

from __future__ import annotations

from shopcare.channels.base import Channel
from shopcare.errors import ConfigError


def make_channels(ctx) -> dict[str, Channel]:
    cfg = ctx.config
    channels: dict[str, Channel] = {}
    if cfg.email.transport == "smtp":
        from shopcare.channels.email_smtp import SmtpChannel

        password = cfg.secret("email", "password") if cfg.email.username else None
        channels["email"] = SmtpChannel(cfg, password)
    else:
        from shopcare.channels.email_maildir import MaildirChannel

        channels["email"] = MaildirChannel(cfg, ctx.data_dir / "sent-mail")
    provider = cfg.sms.provider
    if provider == "smsapi":
        from shopcare.channels.sms_smsapi import SmsapiChannel

        token = cfg.secret("sms", "token")
        if not token:
            raise ConfigError("[sms] provider = \"smsapi\" needs token_env or token_file",
                              [("sms.token_env", "no token configured")])
        channels["sms"] = SmsapiChannel(token, cfg.sms.base_url, cfg.sms.sender, cfg.sms.max_segments, cfg.sms.timeout)
    elif provider == "file":
        from shopcare.channels.sms_file import FileSmsChannel

        channels["sms"] = FileSmsChannel(ctx.data_dir / "sms-sent.jsonl", cfg.sms.sender)
    return channels


__all__ = ["Channel", "make_channels"]
