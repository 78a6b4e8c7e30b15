"""Fetching customer mail once (`shopcare mailbox poll --once`, the cron form of the daemon's
watcher): from the configured source, through the pipeline, into inquiries and the outbox."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any


@dataclass
class PollReport:
    source: str
    first_start: bool = False
    baseline: int = 0
    outcomes: Counter = field(default_factory=Counter)
    rules: Counter = field(default_factory=Counter)
    answered: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "first_start": self.first_start, "already_there": self.baseline,
                "outcomes": dict(self.outcomes), "skipped_by_rule": dict(self.rules), "answered": self.answered}

    def describe(self) -> str:
        if self.first_start and not self.outcomes:
            return (f"{self.source}: first start; {self.baseline} mail(s) already there are not acknowledged "
                    "(use --backfill DAYS to record them)")
        parts = [f"{n} {k}" for k, n in sorted(self.outcomes.items())] or ["nothing new"]
        text = f"{self.source}: " + ", ".join(parts)
        if self.rules:
            text += " (skipped: " + ", ".join(f"{n} {r}" for r, n in self.rules.most_common()) + ")"
        if self.answered:
            text += f"; {len(self.answered)} answered from the Sent folder"
        return text


def maildir_path(ctx) -> Path:
    cfg = ctx.config.mailbox
    if not cfg.path:
        return ctx.data_dir / "inbox"
    p = Path(cfg.path).expanduser()
    if not p.is_absolute():
        p = (ctx.config.path.parent if ctx.config.path else Path.cwd()) / p
    return p


def poll_once(ctx, *, backfill_days: int | None = None) -> PollReport:
    from shopcare.mailbox.pipeline import Pipeline
    from shopcare.services.inquiries import answered_by_reply

    pipeline = Pipeline(ctx)
    cfg = ctx.config.mailbox
    try:
        def count(outcome) -> None:
            report.outcomes[outcome.status] += 1
            if outcome.rule:
                report.rules[outcome.rule] += 1

        def process(raw, **kw):
            outcome = pipeline.process(raw, **kw)
            count(outcome)
            return outcome

        def process_many(items):
            for outcome in pipeline.process_many(items):
                count(outcome)

        def on_reply(ids, when):
            report.answered += answered_by_reply(ctx, ids, when)

        if cfg.source == "imap":
            from shopcare.mailbox.imap_source import ImapSource

            src = ImapSource(ctx, pipeline.state)
            report = PollReport(src.label)
            src.connect()
            try:
                report.first_start = src.state.folder(src.label) is None
                src.sync(process_many, backfill_days=backfill_days)
                src.sync_sent(on_reply)
            finally:
                src.close()
            return report
        from shopcare.mailbox.maildir_source import MaildirSource

        src = MaildirSource(maildir_path(ctx), pipeline.state)
        src.ensure()
        report = PollReport(src.label)
        if src.first_start():
            report.first_start = True
            if backfill_days:
                since = datetime.now(timezone.utc) - timedelta(days=backfill_days)
                for name, path in src.all_files():
                    raw, truncated, received = src.read(path, cfg.max_message_bytes)
                    if received >= since:
                        process(raw, source=f"{src.label}:{name}", received=received, truncated=truncated, backfill=True)
                    src.done(name)
            report.baseline = src.baseline()
            return report
        pending = src.pending()
        for i in range(0, len(pending), 50):
            items, names = [], []
            for name, path in pending[i:i + 50]:
                try:
                    raw, truncated, received = src.read(path, cfg.max_message_bytes)
                except FileNotFoundError:  # moved by the mail client meanwhile: seen again under cur/
                    continue
                items.append(dict(raw=raw, source=f"{src.label}:{name}", received=received, truncated=truncated))
                names.append(name)
            process_many(items)
            src.state.mark_seen(src.label, names)  # only once they are recorded
        sent = cfg.sent_folder
        if sent:
            poll_sent_maildir(ctx, src.path / sent if not Path(sent).is_absolute() else Path(sent), pipeline.state, on_reply)
        return report
    finally:
        pipeline.close()


def poll_sent_maildir(ctx, path: Path, state, on_reply) -> None:
    from shopcare.mailbox.maildir_source import MaildirSource
    from shopcare.mailbox.parse import _MSGID_RE

    src = MaildirSource(path, state, label=f"maildir-sent:{path}")
    if not path.is_dir():
        return
    if src.first_start():
        src.baseline()
        return
    for name, file in src.pending():
        raw, _t, when = src.read(file, 65536)
        head = raw.split(b"\n\n", 1)[0].decode("latin-1")
        refs = [line for line in head.splitlines() if line.lower().startswith(("in-reply-to:", "references:", " ", "\t"))]
        ids = _MSGID_RE.findall(" ".join(refs))
        if ids:
            on_reply(ids, when)
        src.done(name)
