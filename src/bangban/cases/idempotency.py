"""Retries register nothing twice: the API's writes take an optional `Idempotency-Key` header
(decision 0033, docs/api.md "幂等重试"; the IETF draft "The Idempotency-Key HTTP Header Field" and
Stripe's idempotent requests).

One decorator, under the router's, on every operation that writes::

    @router.post("/cases/{number}/accept", ...)
    @idempotent
    def accept_case(request, ...): ...

With the header, the whole operation — the token, the body's validation, the endpoint and the
rendering of its answer — runs in one transaction. When the endpoint begins (the token and the body
are good), the key is looked up; a new key lets it run, and its rendered answer is then written
with the key, a row `IdempotencyKey(user, key)` under a unique constraint, last in the same
transaction: a server killed midway has committed both the write and its answer, or neither. Until
the endpoint writes, the operation holds no lock (decision 0074). A retry by the same user with the
same key:

- same method, path and body (SHA-256 of its canonical JSON): the first answer again, status and
  body byte for byte, with `Idempotent-Replayed: true`; nothing runs;
- anything else: 409 at ["header", "Idempotency-Key"], nothing runs;
- while the first is still running: it runs too, and at its end its key's insert finds the first's
  (SQLite: its first write waited for the first's transaction, under the write lock; PostgreSQL: the
  insert waits on the unique index until the first commits); then everything it wrote is rolled
  back and it gives the first answer, as above. Should the first fail (5xx), no key was written and
  the retry's stands.

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

from bangban.kernel.api import one_error
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
            return attempt.answer(run(request, *args, **kwargs))

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
    """One request's key: looked up when the endpoint begins, written with the answer."""

    def __init__(self, key: str):
        self.key = key
        self.claimed: tuple | None = None  # (user, request_id, now, an expired row's pk)

    def claim(self, request) -> HttpResponse | None:
        """None: the key is new, go on and run; or the answer to give instead: the first answer
        again, or 409 when the key was used for another request."""
        key = _checked(self.key)
        user = request.auth
        request_id = (request.method, request.path[:255], body_digest(request.body))
        now = timezone.now()
        row = IdempotencyKey.objects.filter(user=user, key=key).first()
        if row is not None and row.created_at > now - WINDOW:
            return _given(row, request_id)
        # New, or older than the window (new again): the answer replaces it.
        self.claimed = (user, request_id, now, row.pk if row is not None else None)
        return None

    def answer(self, response: HttpResponse) -> HttpResponse:
        """Write the operation's answer with the key, in its transaction, and give it; or roll the
        operation back: on 5xx, or when a request with this key committed while this one ran (then
        its answer, or 409, as `claim` would have given)."""
        if self.claimed is None:  # the endpoint never began, or replayed
            return response
        if response.status_code >= 500:
            transaction.set_rollback(True)
            return response
        user, request_id, now, expired = self.claimed
        if expired is not None:
            IdempotencyKey.objects.filter(pk=expired, created_at__lte=now - WINDOW).delete()
        row = IdempotencyKey(
            user=user,
            key=self.key,
            method=request_id[0],
            path=request_id[1],
            body_digest=request_id[2],
            status=response.status_code,
            content_type=response.get("Content-Type", "")[:100],
            response=response.content.decode("utf-8"),
            created_at=now,
        )
        if _insert_new(row):
            return response
        first = IdempotencyKey.objects.get(user=user, key=self.key)
        transaction.set_rollback(True)
        try:
            return _given(first, request_id)
        except ApiError as error:
            return one_error(error.status, error.loc, error.msg, error.type)


def _given(row: IdempotencyKey, request_id: tuple) -> HttpResponse:
    """The answer kept with a key, again; 409 when the key was used for another request."""
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


def _insert_new(row: IdempotencyKey) -> bool:
    """Insert the key's row, or nothing when the user has one already (a request with the same key
    committed meanwhile): one statement, `INSERT … ON CONFLICT DO NOTHING RETURNING` (both
    databases), with no savepoint for a unique violation to roll back to. On PostgreSQL the insert
    waits on the unique index for a request with this key still running, then does nothing once it
    has committed or inserts once it has rolled back."""
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
        return cursor.fetchone() is not None


def forget_expired(now: dt.datetime | None = None) -> int:
    """Delete the keys older than the window; how many."""
    now = now or timezone.now()
    deleted, _per_model = IdempotencyKey.objects.filter(created_at__lte=now - WINDOW).delete()
    return deleted
