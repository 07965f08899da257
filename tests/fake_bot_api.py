"""A fake Telegram Bot API server on 127.0.0.1, for driving real python-telegram-bot code
over real HTTP. It queues updates for getUpdates, records every call, and can inject
failures (429 with retry_after, 5xx, slow answers, a user who blocked the bot)."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_USER = {"id": 999000, "is_bot": True, "first_name": "Rembuk", "username": "rembuk_test_bot"}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)
    at: float = 0.0

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if value is not None else None


@dataclass
class Failure:
    status: int = 500
    description: str = "Internal Server Error"
    retry_after: int | None = None
    delay: float = 0.0  # seconds to wait before answering (use with a client timeout)
    chat_id: int | None = None  # only for calls to this chat


def _decode(value: str) -> Any:
    try:
        return json.loads(value)
    except (ValueError, TypeError):
        return value


class FakeBotAPI:
    """Start with `await api.start()`; point the bot at `api.base_url` / `api.base_file_url`."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._updates: deque[dict[str, Any]] = deque()
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._failures: dict[str, deque[Failure]] = defaultdict(deque)
        self._blocked: set[int] = set()
        self._new_update = asyncio.Event()
        self._new_call = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.max_poll_wait = 0.5  # cap getUpdates long polls so tests stay fast
        # Called with every recorded call, e.g. to measure reply latency in a benchmark.
        self.listeners: list[Callable[[Call], None]] = []
        self.record_calls = True  # a long benchmark can switch the call log off

    # Lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    # Scripting ---------------------------------------------------------------------------

    def push_update(self, update: dict[str, Any], update_id: int | None = None) -> int:
        """Queue an update for getUpdates; returns its update_id (reuse one to redeliver)."""
        update = dict(update)
        update["update_id"] = update_id if update_id is not None else next(self._update_ids)
        self._updates.append(update)
        self._new_update.set()
        return update["update_id"]

    def fail_next(self, method: str, failure: Failure, times: int = 1) -> None:
        for _ in range(times):
            self._failures[method].append(failure)

    def block(self, chat_id: int) -> None:
        """From now on, sending to this chat answers 403 like a user who blocked the bot."""
        self._blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        """The user opened the bot again: sending to them works again."""
        self._blocked.discard(chat_id)

    def calls_to(self, method: str, chat_id: int | None = None) -> list[Call]:
        return [
            c
            for c in self.calls
            if c.method == method and (chat_id is None or c.chat_id == chat_id)
        ]

    def sent_texts(self, chat_id: int | None = None) -> list[str]:
        return [
            str(c.params.get("text", ""))
            for c in self.calls
            if c.method in ("sendMessage", "editMessageText")
            and (chat_id is None or c.chat_id == chat_id)
        ]

    async def wait_for(self, predicate, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
        """Wait until predicate(self) is true, or fail the test after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while not predicate(self):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"timed out; last calls: {self.calls[-5:]}")
            self._new_call.clear()
            try:
                await asyncio.wait_for(self._new_call.wait(), min(remaining, 0.2))
            except TimeoutError:
                pass

    @property
    def pending_updates(self) -> int:
        return len(self._updates)

    # HTTP --------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params, files = await _read_params(request)
        if method != "getUpdates":
            self._record(Call(method, params, files, time.monotonic()))
        failure = self._take_failure(method, params)
        if failure is not None:
            return await self._fail(failure, method, params, files)
        chat_id = params.get("chat_id")
        if chat_id is not None and int(chat_id) in self._blocked:
            return web.json_response(
                {
                    "ok": False,
                    "error_code": 403,
                    "description": "Forbidden: bot was blocked by the user",
                },
                status=403,
            )
        if method == "getUpdates":
            return await self._get_updates(params)
        return self._ok(method, params, files)

    def _record(self, call: Call) -> None:
        if self.record_calls:
            self.calls.append(call)
        for listener in self.listeners:
            listener(call)
        self._new_call.set()

    async def _fail(
        self, failure: Failure, method: str, params: dict[str, Any], files: dict[str, bytes]
    ) -> web.Response:
        if failure.delay:
            await asyncio.sleep(failure.delay)
        if failure.status == 200:
            return self._ok(method, params, files)
        body: dict[str, Any] = {
            "ok": False,
            "error_code": failure.status,
            "description": failure.description,
        }
        if failure.retry_after is not None:
            body["parameters"] = {"retry_after": failure.retry_after}
        return web.json_response(body, status=failure.status)

    def _take_failure(self, method: str, params: dict[str, Any]) -> Failure | None:
        queue = self._failures.get(method)
        if not queue:
            return None
        failure = queue[0]
        if failure.chat_id is not None and str(params.get("chat_id")) != str(failure.chat_id):
            return None
        return queue.popleft()

    async def _get_updates(self, params: dict[str, Any]) -> web.Response:
        offset = int(params.get("offset") or 0)
        while self._updates and self._updates[0]["update_id"] < offset and offset > 0:
            self._updates.popleft()  # confirmed by the offset
        if not self._updates:
            self._new_update.clear()
            wait = min(float(params.get("timeout") or 0), self.max_poll_wait)
            try:
                await asyncio.wait_for(self._new_update.wait(), wait)
            except TimeoutError:
                pass
        limit = int(params.get("limit") or 100)
        result = [u for u in self._updates if offset <= 0 or u["update_id"] >= offset][:limit]
        return web.json_response({"ok": True, "result": result})

    def _ok(self, method: str, params: dict[str, Any], files: dict[str, bytes]) -> web.Response:
        return web.json_response({"ok": True, "result": self._result(method, params, files)})

    def _result(self, method: str, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method in (
            "sendMessage",
            "editMessageText",
            "sendDocument",
            "sendPhoto",
            "editMessageReplyMarkup",
        ):
            if method == "editMessageReplyMarkup" and "message_id" not in params:
                return True
            chat_id = int(params.get("chat_id") or 0)
            message: dict[str, Any] = {
                "message_id": int(params.get("message_id") or next(self._message_ids)),
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
                "from": BOT_USER,
            }
            if "text" in params:
                message["text"] = str(params["text"])
            if method == "sendDocument":
                name = next(iter(files), "document")
                message["document"] = {
                    "file_id": f"doc{message['message_id']}",
                    "file_unique_id": f"u{message['message_id']}",
                    "file_name": str(params.get("filename") or name),
                }
            return message
        if method == "getWebhookInfo":
            return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        return True


def private_user(user_id: int, first_name: str = "Warga", language: str = "id") -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": language}


def text_update(
    user_id: int,
    text: str,
    *,
    message_id: int = 1,
    chat_type: str = "private",
    chat_id: int | None = None,
) -> dict[str, Any]:
    """A message update as Telegram sends it; commands get their bot_command entity."""
    chat = {"id": chat_id if chat_id is not None else user_id, "type": chat_type}
    message: dict[str, Any] = {
        "message_id": message_id,
        "date": int(time.time()),
        "chat": chat,
        "from": private_user(user_id),
        "text": text,
    }
    if text.startswith("/"):
        length = len(text.split()[0])
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    return {"message": message}


def callback_update(
    user_id: int, data: str, *, message_id: int = 1, callback_id: str | None = None
) -> dict[str, Any]:
    """A button press on one of the bot's messages."""
    return {
        "callback_query": {
            "id": callback_id or f"cb{time.monotonic_ns()}",
            "from": private_user(user_id),
            "chat_instance": str(user_id),
            "data": data,
            "message": {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": {"id": user_id, "type": "private"},
                "from": BOT_USER,
                "text": "…",
            },
        }
    }


def message_update(
    user_id: int,
    content: dict[str, Any],
    *,
    message_id: int = 1,
    chat_type: str = "private",
    chat_id: int | None = None,
    edited: bool = False,
) -> dict[str, Any]:
    """A message of any kind; `content` is e.g. {"sticker": {...}} (see the helpers below)."""
    chat = {"id": chat_id if chat_id is not None else user_id, "type": chat_type}
    if chat_type in ("group", "supergroup", "channel"):
        chat["title"] = "Grup Warga"
    message: dict[str, Any] = {
        "message_id": message_id,
        "date": int(time.time()),
        "chat": chat,
        "from": private_user(user_id),
        **content,
    }
    if edited:
        message["edit_date"] = int(time.time())
        return {"edited_message": message}
    return {"message": message}


def channel_post_update(chat_id: int, text: str, *, message_id: int = 1) -> dict[str, Any]:
    """A post in a channel where the bot is an administrator (no sender user)."""
    return {
        "channel_post": {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "channel", "title": "Kanal Info"},
            "text": text,
        }
    }


def _file(kind: str) -> dict[str, Any]:
    return {"file_id": f"{kind}-file", "file_unique_id": f"{kind}-unique"}


# Message contents other than text, as Telegram sends them.
MEDIA_CONTENTS: dict[str, dict[str, Any]] = {
    "sticker": {
        "sticker": {
            **_file("sticker"),
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
    },
    "photo": {"photo": [{**_file("photo"), "width": 90, "height": 90}]},
    "voice": {"voice": {**_file("voice"), "duration": 3}},
    "video": {"video": {**_file("video"), "width": 320, "height": 240, "duration": 5}},
    "document": {"document": {**_file("document"), "file_name": "jawaban.pdf"}},
    "location": {"location": {"latitude": -1.07, "longitude": 103.4}},
    "contact": {"contact": {"phone_number": "+62811000000", "first_name": "Budi"}},
    "poll": {
        "poll": {
            "id": "poll1",
            "question": "Setuju?",
            "options": [
                {"persistent_id": "o1", "text": "Ya", "voter_count": 0},
                {"persistent_id": "o2", "text": "Tidak", "voter_count": 0},
            ],
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": True,
            "type": "regular",
            "allows_multiple_answers": False,
            "allows_revoting": False,
            "members_only": False,
        }
    },
}


async def _read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, bytes]]:
    """A Bot API call's parameters (JSON, multipart with files, or a form; plus the query)."""
    params: dict[str, Any] = {}
    files: dict[str, bytes] = {}
    if request.content_type == "application/json":
        params = await request.json()
    elif request.content_type.startswith("multipart/"):
        reader = await request.multipart()
        async for part in reader:
            if part.filename:
                files[part.name or "file"] = await part.read()
            else:
                params[part.name or ""] = _decode(await part.text())
    else:
        form = await request.post()
        params = {key: _decode(str(value)) for key, value in form.items()}
    if request.query:
        params.update({key: _decode(value) for key, value in request.query.items()})
    return params, files
