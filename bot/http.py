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
"""

from __future__ import annotations

import json

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

_JSON = {"Content-Type": "application/json"}


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
        body: bytes | aiohttp.FormData | None = None
        headers = None
        if request_data is not None:
            if request_data.contains_files:
                body = aiohttp.FormData(quote_fields=False)
                for name, value in request_data.json_parameters.items():
                    body.add_field(name, value)
                for name, (filename, content, mime_type) in request_data.multipart_data.items():
                    body.add_field(name, content, filename=filename, content_type=mime_type)
            else:
                body = json.dumps(request_data.parameters).encode()
                headers = _JSON
        try:
            async with self._session.request(
                method, url, data=body, headers=headers, timeout=timeout
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:  # aiohttp's timeouts are TimeoutErrors too
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{error.__class__.__name__}: {error}") from error
