"""Fixtures for the reliability suite: real servers, a real daemon process."""

import pytest

from dovecot import Dovecot
from servers import SmtpServer


@pytest.fixture
def imap(tmp_path):
    d = Dovecot(tmp_path / "dovecot").setup().start()
    yield d
    d.stop()


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()
