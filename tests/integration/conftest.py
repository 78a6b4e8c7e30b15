"""Fixtures for the integration suite: real servers on loopback, no fakes at the boundary."""

import pytest

from servers import SmsapiServer, make_cert


@pytest.fixture
def smsapi():
    server = SmsapiServer().start()
    yield server
    server.stop()


@pytest.fixture
def real_shop(shop, smtp, smsapi):
    """A shop whose email goes through aiosmtpd and SMS through the real smsapi-client."""
    shop.add_config(smtp.config())
    shop.add_config(smsapi.config())
    shop.add_config('[[inquiries.staff]]\nname = "Kasia"\nemail = "kasia@shop.example"\nphone = "+48 600 100 200"\nchannel = "sms"\n')
    shop.env["TEST_SMSAPI_TOKEN"] = smsapi.token
    return shop


@pytest.fixture(scope="session")
def cert(tmp_path_factory):
    return make_cert(tmp_path_factory.mktemp("tls"))
