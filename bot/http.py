"""The bot's HTTP client for the Bot API: python-telegram-bot's BaseRequest over aiohttp.

python-telegram-bot's default transport (httpx on httpcore and anyio) spends most of a
bot's CPU per API call: measured with py-spy under bench/bot_throughput.py, a bare echo bot
spent ~80 % of its time inside httpx, much of it in the connection pool, which scans every
queued request and connection on each request. aiohttp's pool hands a freed connection to
the next waiter in constant time, and a request costs a fraction of the CPU.

Requests without files are sent as one JSON body (the Bot API accepts application/json);
uploads as multipart/form-data, like python-telegram-bot does. aiohttp has no write timeout:
the connect and read timeouts bound a request, and the pool timeout bounds the wait for a
free connection (python-telegram-bot's meaning). By default there is no pool timeout: under
a burst, a reply waits its turn for a connection rather than being dropped with an error.

Results nobody reads: python-telegram-bot turns the result of every sendMessage or
editMessageText into a Message object, which costs more CPU than the request itself; the
bot's replies never look at it. Inside `results_unread()` a successful call's result is
handed to python-telegram-bot as `true` (what editMessageText returns for inline messages,
and what `Bot._send_message` returns as is), through the documented hook for this,
`BaseRequest.parse_json_payload`. Errors (`"ok": false`: 403, 429 with its retry_after …)
are parsed as always.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import JSONDict, ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

_JSON = {"Content-Type": "application/json"}
_UNREAD: ContextVar[bool] = ContextVar("rembuk_api_results_unread", default=False)


@contextmanager
def results_unread() -> Iterator[None]:
    """Bot API calls made inside the block (and in tasks it starts) return True on success
    instead of their result: for callers that never read it."""
    token = _UNREAD.set(True)
    try:
        yield
    finally:
        _UNREAD.reset(token)


class AiohttpRequest(BaseRequest):
    """A Bot API transport on one aiohttp session with a bounded keep-alive pool."""

    __slots__ = (
        "_connect_timeout",
        "_pool_size",
        "_pool_timeout",
        "_read_timeout",
        "_session",
    )

    def __init__(
        self,
        *,
        connection_pool_size: int = 32,
        read_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = None,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    @staticmethod
    def parse_json_payload(payload: bytes) -> JSONDict:
        """As python-telegram-bot parses it, but inside `results_unread()` a success's result
        is just `true`, so that it is not turned into objects nobody reads."""
        data = BaseRequest.parse_json_payload(payload)
        if _UNREAD.get() and data.get("ok") is True:
            return {"ok": True, "result": True}
        return data

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=self._pool_size, limit_per_host=self._pool_size, keepalive_timeout=60
            )
            # No cookies, no default timeout (each request sets its own), no trust_env.
            self._session = aiohttp.ClientSession(
                connector=connector,
                cookie_jar=aiohttp.DummyCookieJar(),
                timeout=aiohttp.ClientTimeout(total=None),
                skip_auto_headers=("User-Agent",),
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        if isinstance(read_timeout, DefaultValue):
            read_timeout = self._read_timeout
        if isinstance(connect_timeout, DefaultValue):
            connect_timeout = self._connect_timeout
        if isinstance(pool_timeout, DefaultValue):
            pool_timeout = self._pool_timeout
        # aiohttp's `connect` covers waiting for a pooled connection and opening a new one;
        # `sock_connect` only the opening.
        connect = None if pool_timeout is None else pool_timeout + (connect_timeout or 0.0)
        timeout = aiohttp.ClientTimeout(
            total=None, connect=connect, sock_connect=connect_timeout, sock_read=read_timeout
        )
        body, headers = _body(request_data)
        try:
            async with self._session.request(
                method, url, data=body, headers=headers, timeout=timeout
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:  # aiohttp's timeouts are TimeoutErrors too
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{error.__class__.__name__}: {error}") from error


def _body(
    request_data: RequestData | None,
) -> tuple[bytes | aiohttp.FormData | None, dict[str, str] | None]:
    """The request body (and its headers): multipart form data with files, JSON without."""
    if request_data is None:
        return None, None
    if not request_data.contains_files:
        return json.dumps(request_data.parameters).encode(), _JSON
    form = aiohttp.FormData(quote_fields=False)
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mime_type) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mime_type)
    return form, None
