"""The one exception tree of shopcare and the exit codes it maps to.

Library code raises these; only the CLI boundary (`shopcare.cli.main`) turns them into
messages and exit codes, so a script can rely on the codes below.
"""

from __future__ import annotations

import enum


class ExitStatus(enum.IntEnum):
    """Exit codes of every `shopcare` command (documented in README.md)."""

    OK = 0
    REFUSED = 1  # refused by a rule: illegal transition, stale version, deadline passed
    BAD_INPUT = 2  # usage error, invalid value, unsafe id
    ENVIRONMENT = 3  # configuration, environment or a damaged store
    NOT_FOUND = 4


class ShopcareError(Exception):
    """Base of every error shopcare reports to a person."""

    exit_status = ExitStatus.ENVIRONMENT

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class RefusedError(ShopcareError):
    """A rule refused the change (the input was well-formed)."""

    exit_status = ExitStatus.REFUSED


class InvalidTransition(RefusedError):
    """A record cannot move from its state to the one asked for."""


class StaleVersion(RefusedError):
    """The record changed since it was read: somebody else wrote it first."""


class BadInput(ShopcareError):
    """A value given by the user is not acceptable."""

    exit_status = ExitStatus.BAD_INPUT


class UnsafeId(BadInput):
    """An id that could escape the data directory or is not a valid name."""


class NotFound(ShopcareError):
    """A record that was asked for does not exist."""

    exit_status = ExitStatus.NOT_FOUND


class ConfigError(ShopcareError):
    """The configuration is invalid; `problems` lists (key, reason) pairs."""

    exit_status = ExitStatus.ENVIRONMENT

    def __init__(self, message: str, problems: list[tuple[str, str]] | None = None, **kw) -> None:
        super().__init__(message, **kw)
        self.problems = problems or []


class StoreError(ShopcareError):
    """The data directory is missing, locked or damaged."""

    exit_status = ExitStatus.ENVIRONMENT


class DamagedRecord(StoreError):
    """A record file cannot be read: bad TOML, a missing field or a wrong type."""

    def __init__(self, path, line: int | None, reason: str) -> None:
        where = f"{path}:{line}" if line else str(path)
        super().__init__(
            f"{where}: {reason}",
            hint="fix the file by hand (other records stay usable); `shopcare doctor` lists every damaged record",
        )
        self.path = path
        self.line = line
        self.reason = reason


class ChannelError(ShopcareError):
    """Sending a message failed."""

    retryable = True


class TemporaryChannelError(ChannelError):
    """Sending failed for a reason that may pass: retry later."""

    retryable = True


class ChannelDown(TemporaryChannelError):
    """The whole channel is failing (server unreachable, login refused, no credit): every
    message waits, and staff are told once per outage, not once per message."""


class PermanentChannelError(ChannelError):
    """Sending this message will never succeed as it is: do not retry."""

    retryable = False
