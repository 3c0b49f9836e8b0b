"""Retries register nothing twice: the API's writes take an optional `Idempotency-Key` header
(decision 0033, docs/api.md "幂等重试"; the IETF draft "The Idempotency-Key HTTP Header Field" and
Stripe's idempotent requests).

One decorator, under the router's, on every operation that writes::

    @router.post("/cases/{number}/accept", ...)
    @idempotent
    def accept_case(request, ...): ...

With the header, the whole operation — the token, the body's validation, the endpoint and the
rendering of its answer — runs in one transaction. When the endpoint begins (the token and the body
are good), the key is claimed: a row `IdempotencyKey(user, key)` is inserted, under a unique
constraint, before anything else is written. At the end the rendered answer is written to that row,
in the same transaction: a server killed midway has committed both the write and its answer, or
neither. A retry by the same user with the same key:

- same method, path and body (SHA-256 of its canonical JSON): the first answer again, status and
  body byte for byte, with `Idempotent-Replayed: true`; nothing runs;
- anything else: 409 at ["header", "Idempotency-Key"], nothing runs;
- while the first is still running: it waits for it, then replays its answer (SQLite: the file lock
  and `BEGIN IMMEDIATE` let one writing transaction at a time in, so the retry's begins after the
  first has committed and finds the row; PostgreSQL: the retry's insert waits on the unique index
  until the first commits, fails, and the retry reads the row). Should the first fail (5xx), its
  row goes with its rollback and the retry runs.

Every answer below 500 the endpoint gave is kept (a refusal too: 403, 404, 409): the key names one
attempt. Answers before it began are not (401, a malformed body or key: 400, 422), nor 5xx. A key is
the user's for `WINDOW`; older, it is treated as new and `forget_expired` (the task worker, hourly)
deletes it.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import hashlib
import inspect
import json
import re

from django.db import connection, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.decorators import decorate_view
from ninja.utils import contribute_operation_callback

from bangban.kernel.errors import ApiError

from .models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
#: How long a key holds its answer.
WINDOW = dt.timedelta(hours=24)
MAX_LENGTH = 255
#: Printable ASCII, no space at either end (a proxy would strip it): what the header may carry.
PATTERN = r"^[!-~]([ -~]*[!-~])?$"

#: The operation's header parameter in the OpenAPI document.
PARAMETER = {
    "name": HEADER,
    "in": "header",
    "required": False,
    "description": (
        "Optional. A key of your own (e.g. a UUID) for this one write: a retry with the same key "
        "and body gets the first answer again (`Idempotent-Replayed: true`) instead of running "
        "twice; the same key with another body or path gets 409. Kept 24 hours, per user."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_LENGTH, "pattern": PATTERN},
}


def idempotent(view):
    """The operation takes an optional `Idempotency-Key` header (see the module). Place it under
    `@router.post(...)`."""

    @functools.wraps(view)
    def endpoint(request, *args, **kwargs):
        attempt: Attempt | None = getattr(request, "_idempotency", None)
        if attempt is not None:
            replay = attempt.claim(request)
            if replay is not None:
                return replay
        return view(request, *args, **kwargs)

    # ninja reads the parameters' types from the signature, in the function's own module: resolve
    # them there (`from __future__ import annotations` leaves them as strings).
    endpoint.__signature__ = inspect.signature(view, eval_str=True)
    decorate_view(_in_one_transaction)(endpoint)
    contribute_operation_callback(endpoint, _document)
    return endpoint


def _in_one_transaction(run):
    """Around ninja's `Operation.run` (token, body, endpoint, rendering, error handlers)."""

    @functools.wraps(run)
    def wrapper(request, *args, **kwargs):
        if HEADER not in request.headers:
            return run(request, *args, **kwargs)
        attempt = request._idempotency = Attempt(request.headers[HEADER])
        with transaction.atomic():
            response = run(request, *args, **kwargs)
            attempt.answer(response)
        return response

    return wrapper


def _document(operation) -> None:
    extra = dict(operation.openapi_extra or {})
    extra["parameters"] = [*extra.get("parameters", []), copy.deepcopy(PARAMETER)]
    operation.openapi_extra = extra


def body_digest(body: bytes) -> str:
    """SHA-256 of the body's canonical JSON (keys sorted, no spaces, characters as they are), so
    that a retry serialised differently is the same request; a body that is not JSON (none at
    all) as it is."""
    try:
        canonical = json.dumps(
            json.loads(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode("utf-8", "surrogatepass")
    except ValueError:
        canonical = body
    return hashlib.sha256(canonical).hexdigest()


def _checked(key: str) -> str:
    if not key:
        kind = "string_too_short"
    elif len(key) > MAX_LENGTH:
        kind = "string_too_long"
    elif not re.fullmatch(PATTERN, key):
        kind = "string_pattern_mismatch"
    else:
        return key
    raise ApiError(
        422,
        ["header", HEADER],
        _("Idempotency-Key 须为 1–%(max)d 个可打印的 ASCII 字符，首尾不能是空格。")
        % {"max": MAX_LENGTH},
        kind,
    )


class Attempt:
    """One request's key: claimed when the endpoint begins, answered when the operation ends."""

    def __init__(self, key: str):
        self.key = key
        self.row: IdempotencyKey | None = None

    def claim(self, request) -> HttpResponse | None:
        """Claim the key for this request (None: go on and run), or the answer to give instead: the
        first answer again, or 409 when the key was used for another request."""
        key = _checked(self.key)
        user = request.auth
        request_id = (request.method, request.path[:255], body_digest(request.body))
        now = timezone.now()
        self.row = _insert_new(user, key, request_id, now)
        if self.row is not None:  # a new key: one statement, the usual case
            return None
        row = IdempotencyKey.objects.get(user=user, key=key)
        if row.created_at <= now - WINDOW:  # older than the window: the key is new again
            row.delete()
            self.row = _insert_new(user, key, request_id, now)
            return None
        if (row.method, row.path, row.body_digest) != request_id:
            raise ApiError(
                409,
                ["header", HEADER],
                _(
                    "该 Idempotency-Key 已用于另一个请求（方法、路径或请求体不同）：新的请求请换一个新键。"
                ),
                "idempotency_key_reused",
            )
        replay = HttpResponse(row.response, status=row.status, content_type=row.content_type)
        replay[REPLAYED] = "true"
        return replay

    def answer(self, response) -> None:
        """Keep the operation's answer with the key, in its transaction; roll both back on 5xx."""
        if self.row is None:  # the endpoint never began, or replayed
            return
        if response.status_code >= 500:
            transaction.set_rollback(True)
            return
        self.row.status = response.status_code
        self.row.content_type = response.get("Content-Type", "")[:100]
        self.row.response = response.content.decode("utf-8")
        self.row.save(update_fields=["status", "content_type", "response"])


def _insert_new(user, key: str, request_id: tuple, now: dt.datetime) -> IdempotencyKey | None:
    """The user's row for this key, inserted now, or None when they have one already: one statement,
    `INSERT … ON CONFLICT DO NOTHING RETURNING` (both databases), where a look-up, a savepoint, the
    insert and its release took four (bench/README.md "bench_register.py"). On PostgreSQL the insert
    waits on the unique index for a first request with this key still running, then does nothing once
    it has committed (its row is then read) or inserts once it has rolled back."""
    row = IdempotencyKey(
        user=user,
        key=key,
        method=request_id[0],
        path=request_id[1],
        body_digest=request_id[2],
        created_at=now,
    )
    fields = [f for f in IdempotencyKey._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    unique = IdempotencyKey._meta.get_field("user").column, "key"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(IdempotencyKey._meta.db_table)} "  # noqa: S608 - names only
            f"({', '.join(quote(f.column) for f in fields)}) VALUES ({', '.join(['%s'] * len(fields))}) "
            f"ON CONFLICT ({', '.join(quote(c) for c in unique)}) DO NOTHING RETURNING {quote('id')}",
            [f.get_db_prep_save(getattr(row, f.attname), connection) for f in fields],
        )
        found = cursor.fetchone()
    if found is None:
        return None
    row.pk = found[0]
    row._state.adding, row._state.db = False, connection.alias
    return row


def forget_expired(now: dt.datetime | None = None) -> int:
    """Delete the keys older than the window; how many."""
    now = now or timezone.now()
    deleted, _per_model = IdempotencyKey.objects.filter(created_at__lte=now - WINDOW).delete()
    return deleted
