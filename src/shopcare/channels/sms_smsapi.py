"""SMS through SMSAPI (smsapi.pl / smsapi.com) with the official smsapi-client.

The client is synchronous (requests), so each send runs in a worker thread. The outbox id goes
to the gateway as `idx` with `check_idx=1`: SMSAPI refuses (error 53) a second message with the
same idx within 24 hours, so a retry after a crash or a timeout can never send twice.
"""

from __future__ import annotations

import asyncio

from shopcare.channels.base import Channel
from shopcare.errors import ChannelDown, PermanentChannelError, TemporaryChannelError
from shopcare.notify.message import OutboxMessage

# SMSAPI error codes (sms.do JSON body), by what retrying can do about them.
TEMPORARY = {8, 52, 200, 201, 202, 203, 666, 998, 999}
# Account or configuration problems: every message fails until a person fixes the account
# (bad token, no credit, unregistered sender name, IP filter...). The queue waits; staff are told.
ACCOUNT = {7, 14, 62, 74, 94, 96, 98, 101, 102, 103, 104, 105, 110, 112, 401, 997, 1000, 1001}
ALREADY_SENT = 53
MEANINGS = {
    11: "message too long or empty", 12: "more parts than max_parts", 13: "no valid phone number",
    14: "sender name not registered", 52: "too many messages to one number in a minute",
    57: "number on the account's blacklist", 59: "number opted out", 101: "bad access token",
    102: "bad username or password", 103: "no SMS credit left", 105: "IP address not allowed",
    110: "action not allowed for this account", 201: "gateway internal error", 203: "too many requests",
}


class SmsapiChannel(Channel):
    name = "sms"

    def __init__(self, token: str, base_url: str, sender: str = "", max_parts: int = 3, timeout: float = 20.0) -> None:
        self._token = token
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.sender = sender
        self.max_parts = max_parts
        self.timeout = timeout
        self._client = None

    def __repr__(self) -> str:  # never show the token
        return f"SmsapiChannel({self.base_url})"

    def _send_sync(self, msg: OutboxMessage) -> str:
        import requests
        from smsapi.client import Client
        from smsapi.exception import EndpointException, SendException

        if self._client is None:
            self._client = Client(self.base_url, access_token=self._token)
        params = dict(to=msg.to.lstrip("+"), message=msg.body, idx=msg.id, check_idx=1, encoding="utf-8",
                      max_parts=self.max_parts, timeout=self.timeout)
        if self.sender:
            params["from_"] = self.sender
        try:
            result = self._client.sms.send(**params)
        except SendException as exc:  # HTTP 2xx with {"error": N}
            code = int(exc.code or 0)
            what = f"SMSAPI error {code}: {MEANINGS.get(code, exc.message or 'unknown')}"
            if code == ALREADY_SENT:
                return f"idx:{msg.id}"  # sent before (a retry after an unclear failure): done
            if code in TEMPORARY:
                raise TemporaryChannelError(what) from None
            if code in ACCOUNT:
                raise ChannelDown(what) from None
            raise PermanentChannelError(what) from None
        except EndpointException as exc:  # a non-2xx HTTP status; .code is the HTTP status
            status = int(exc.code or 0)
            if status in (401, 403):
                raise ChannelDown(f"SMSAPI refused the access token (HTTP {status})") from None
            if status == 429 or status >= 500:
                raise ChannelDown(f"SMSAPI unavailable (HTTP {status})") from None
            raise PermanentChannelError(f"SMSAPI answered HTTP {status}") from None
        except requests.exceptions.RequestException as exc:
            raise ChannelDown(f"cannot reach SMSAPI at {self.base_url}: {type(exc).__name__}") from None
        if not getattr(result, "count", None):
            raise TemporaryChannelError("SMSAPI answered without a result")
        first = result.results[0] if getattr(result, "results", None) else None
        return str(getattr(first, "id", "") or "")

    async def send(self, msg: OutboxMessage) -> str:
        return await asyncio.to_thread(self._send_sync, msg)
