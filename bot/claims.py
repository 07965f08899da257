"""Each update is handled once, even if Telegram delivers it twice or to two workers.

The update id is claimed (a row in processed_update) inside the same database transaction
as the handler's first transaction, usually the one that stores the answer: the claim and
what the update changed commit together or not at all. A duplicate finds the id taken and
stops (AlreadyHandled, before anything else is done); an update whose handling failed
before its transaction committed has no claim, so when Telegram delivers it again it is
handled then. (A separate claim transaction first, as before, also cost a commit per update
and dropped the update if the process died between the claim and the answer.)

How it is wired: the `dedupe` handler marks the update's claim as pending (a context
variable of the update's task, no database work); `Conversation.transaction()` inserts a
pending claim before anything else; the error handler drops a pending claim, so a failed
update is not claimed by the error message's own transaction; and a handler that made no
transaction at all has its update claimed after it ran (`settle`).
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, text
from sqlmodel import SQLModel

from bot.driver_sql import DriverStatement
from shared.models import ProcessedUpdate

PENDING, CLAIMED, DROPPED = "pending", "claimed", "dropped"


class AlreadyHandled(Exception):
    """This update id was handled before (by this worker or another one)."""

    def __init__(self, update_id: int) -> None:
        super().__init__(f"update {update_id} was already handled")
        self.update_id = update_id


@dataclass
class Claim:
    update_id: int
    state: str = PENDING


_current: ContextVar[Claim | None] = ContextVar("rembuk_update_claim", default=None)


def expect(update_id: int) -> Claim:
    """The update being handled in this task is to be claimed by its first transaction."""
    claim = Claim(update_id)
    _current.set(claim)
    return claim


def current() -> Claim | None:
    return _current.get()


def pending() -> Claim | None:
    claim = _current.get()
    return claim if claim is not None and claim.state == PENDING else None


def drop() -> None:
    """Handling failed: do not claim the update (Telegram's redelivery will be handled)."""
    claim = pending()
    if claim is not None:
        claim.state = DROPPED


_TABLE = SQLModel.metadata.tables[ProcessedUpdate.__tablename__]
# The same SQL on SQLite (3.35+) and PostgreSQL. Written as text because SQLAlchemy does not
# cache the compiled form of its dialects' ON CONFLICT constructs (compiling it every time
# cost more than running it); RETURNING tells whether the row went in (rowcount is not
# reliable on every driver).
_INSERT = text(
    "INSERT INTO processed_update (update_id, processed_at) VALUES (:update_id, :processed_at)"
    " ON CONFLICT DO NOTHING RETURNING update_id"
).bindparams(
    bindparam("update_id", type_=_TABLE.c.update_id.type),
    bindparam("processed_at", type_=_TABLE.c.processed_at.type),
)
_CLAIM = DriverStatement(_INSERT)  # on the driver's cursor: see bot.driver_sql


def insert(connection: Connection, update_id: int, now: datetime) -> bool:
    """Record the update id in the current transaction; False if it was already there.

    On PostgreSQL a second worker inserting the same id waits for the first one's
    transaction: if that commits, this one finds the id taken; if it rolls back, this one
    gets the claim."""
    return bool(_CLAIM.all(connection, {"update_id": update_id, "processed_at": now}))
