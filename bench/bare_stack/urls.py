"""`POST /bare/cases`: a registration's writes, and the reads they need, in raw SQL.

The same body as `POST /api/v1/cases` (a django-ninja schema of its fields), the same bearer token
(one look-up by its SHA-256), the same `Idempotency-Key` header, and in one transaction the
statements `cases.actions.register_case` writes: the idempotency row (claimed first, its answer
written last), the point's county and path and the item's current revision with its materials
(read), the applicant found by its keyed digest or inserted (number, birth date and phone encrypted,
masked and digested by `bangban.kernel.protection` and `cases.identifiers`, as the action does, and
the grams of its name in one insert: decision 0070), the county's counter for the day, the rating
card's uniqueness check, the case (with its scope paths, decision 0061), its checklist, its event,
its first service occasion and the SMS in the outbox. What it leaves out is what Bangban adds
around those writes: the scope and qualification checks (memberships, the point as the helper's,
the item as visible, 上岗资格), every rule's refusal, the session and security middleware and the
full answer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets

from django.db import connection, transaction
from django.urls import path
from django.utils import timezone
from ninja import NinjaAPI, Schema
from ninja.security import HttpBearer

from bangban.cases import identifiers
from bangban.kernel import protection
from bangban.kernel.search import grams


class Bearer(HttpBearer):
    def authenticate(self, request, token):
        digest = hashlib.sha256(token.encode()).hexdigest()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT t.user_id FROM network_apitoken t JOIN auth_user u ON u.id = t.user_id "
                "WHERE t.digest = %s AND t.expires_at > %s AND u.is_active",
                [digest, connection.ops.adapt_datetimefield_value(timezone.now())],
            )
            row = cursor.fetchone()
        return row[0] if row else None


class ApplicantIn(Schema):
    name: str
    number: str
    phone: str = ""


class CaseIn(Schema):
    point: int
    applicant: ApplicantIn
    item: int
    kind: str
    mode: str
    channel: str


api = NinjaAPI(auth=Bearer(), urls_namespace="bare", docs_url=None)


def _insert(cursor, table: str, values: dict) -> int:
    columns = ", ".join(connection.ops.quote_name(c) for c in values)
    marks = ", ".join(["%s"] * len(values))
    cursor.execute(
        f"INSERT INTO {table} ({columns}) VALUES ({marks}) RETURNING id",  # noqa: S608
        list(values.values()),
    )
    return cursor.fetchone()[0]


@api.post("/cases", response={201: dict})
def register(request, payload: CaseIn):
    user = request.auth
    ops = connection.ops
    now, today = timezone.now(), timezone.localdate()
    at, day = ops.adapt_datetimefield_value(now), ops.adapt_datefield_value(today)
    key = request.headers.get("Idempotency-Key", secrets.token_hex(8))
    body_digest = hashlib.sha256(request.body).hexdigest()
    a = payload.applicant
    document = identifiers.parse_document("resident_id", a.number, today)
    phone = identifiers.normalise_phone(a.phone) if a.phone else ""
    with transaction.atomic(), connection.cursor() as cursor:
        idempotency = _insert(
            cursor,
            "cases_idempotencykey",
            {
                "user_id": user,
                "key": key,
                "method": "POST",
                "path": request.path,
                "body_digest": body_digest,
                "status": 0,
                "content_type": "",
                "response": "",
                "created_at": at,
            },
        )
        cursor.execute(
            "SELECT p.county_id, r.code, p.ancestry FROM network_servicepoint p "
            "JOIN network_region r ON r.id = p.county_id WHERE p.id = %s",
            [payload.point],
        )
        county_id, county_code, ancestry = cursor.fetchone()
        path = f"{ancestry}{payload.point}/"  # `ServicePoint.subtree_prefix` (decision 0061)
        cursor.execute(
            "SELECT r.id, r.name FROM catalog_serviceitem i JOIN catalog_itemrevision r "
            "ON r.id = i.current_id WHERE i.id = %s AND i.active AND i.county_id = %s",
            [payload.item, county_id],
        )
        revision, item_name = cursor.fetchone()
        cursor.execute(
            "SELECT id, position FROM catalog_material WHERE revision_id = %s ORDER BY position",
            [revision],
        )
        materials = cursor.fetchall()
        digests = protection.lookup_digests(document.document_type, document.number)
        lock = " FOR UPDATE" if connection.vendor == "postgresql" else ""
        cursor.execute(
            "SELECT id FROM cases_applicant WHERE lookup_digest IN "  # noqa: S608
            f"({', '.join(['%s'] * len(digests))}) ORDER BY id LIMIT 1{lock}",
            digests,
        )
        found = cursor.fetchone()
        if found:
            applicant = found[0]
        else:
            applicant = _insert(
                cursor,
                "cases_applicant",
                {
                    "kind": "person",
                    "name": a.name.strip(),
                    "document_type": document.document_type,
                    "number_encrypted": protection.encrypt(document.number),
                    "number_masked": identifiers.mask_id(document.number),
                    "credit_code": "",
                    "lookup_digest": digests[0],
                    "sex": document.sex or "",
                    "disabled": False,
                    "needs": "",
                    "dishonest": False,
                    "legal_representative": "",
                    "contact_name": "",
                    "created_at": at,
                    "updated_at": at,
                    "birth_on_encrypted": protection.encrypt(document.birth_on.isoformat()),
                    "phone_encrypted": protection.encrypt(phone) if phone else "",
                    "phone_masked": identifiers.mask_phone(phone) if phone else "",
                    "phone_digest": protection.phone_digest(phone) if phone else "",
                },
            )
            found_by = sorted(grams(a.name.strip()))  # the name's grams, one insert (0070)
            cursor.execute(
                "INSERT INTO cases_applicantgram (applicant_id, gram) VALUES "  # noqa: S608
                + ", ".join(["(%s, %s)"] * len(found_by)),
                [value for gram in found_by for value in (applicant, gram)],
            )
        cursor.execute(
            "INSERT INTO cases_casecounter (county_id, day, series, last) VALUES (%s, %s, 'case', 1) "
            "ON CONFLICT (county_id, day, series) DO UPDATE SET last = cases_casecounter.last + 1 "
            "RETURNING last",
            [county_id, day],
        )
        sequence = cursor.fetchone()[0]
        number = f"{county_code}-{today:%Y%m%d}-{sequence:04d}"
        card = str(10**9 + secrets.randbelow(9 * 10**9))
        cursor.execute("SELECT rating_card FROM cases_case WHERE rating_card IN (%s)", [card])
        assert cursor.fetchone() is None
        case = _insert(
            cursor,
            "cases_case",
            {
                "number": number,
                "registered_on": day,
                "sequence": sequence,
                "registered_at": at,
                "elderly": identifiers.is_elderly(document.birth_on, today),
                "disabled": False,
                "kind": payload.kind,
                "mode": payload.mode,
                "channel": payload.channel,
                "status": "registered",
                "received_on": day,
                "acceptance_deemed": False,
                "promised_provisional": False,
                "legal_provisional": False,
                "public_token": secrets.token_urlsafe(32),
                "applicant_id": applicant,
                "county_id": county_id,
                "entered_by_id": user,
                "handling_helper_id": user,
                "handling_point_id": payload.point,
                "item_id": payload.item,
                "registering_point_id": payload.point,
                "registering_path": path,
                "handling_path": path,
                "offered_path": "",
                "responsible_id": user,
                "revision_id": revision,
                "original_number": "",
                "contact_phone_encrypted": protection.encrypt(phone) if phone else "",
                "contact_phone_masked": identifiers.mask_phone(phone) if phone else "",
                "contact_phone_digest": protection.phone_digest(phone) if phone else "",
                "deemed_deadline": ops.adapt_datefield_value(today + dt.timedelta(days=30)),
                "refusal_document_number": "",
                "rating_card": card,
            },
        )
        if materials:
            cursor.execute(
                "INSERT INTO cases_casematerial (case_id, material_id, position, status, note) "  # noqa: S608
                f"VALUES {', '.join(['(%s, %s, %s, %s, %s)'] * len(materials))}",
                [v for m, position in materials for v in (case, m, position, "pending", "")],
            )
        data = {"item": payload.item, "revision": revision, "point": payload.point}
        _insert(
            cursor,
            "cases_caseevent",
            {
                "case_id": case,
                "at": at,
                "action": "register",
                "from_status": "",
                "to_status": "registered",
                "data": ops.adapt_json_value(data, None),
                "by_id": user,
            },
        )
        _insert(
            cursor,
            "cases_occasion",
            {
                "case_id": case,
                "sequence": 1,
                "kind": "register",
                "on": day,
                "at": at,
                "point_id": payload.point,
                "helper_id": user,
            },
        )
        if phone:
            _insert(
                cursor,
                "messaging_message",
                {
                    "channel": "sms",
                    "body": f"【帮办代办】您的“{item_name}”已登记，办件编号 {number}。",
                    "reference": f"case:{number}",
                    "status": "pending",
                    "attempts": 0,
                    "next_attempt_at": at,
                    "give_up_at": ops.adapt_datetimefield_value(now + dt.timedelta(days=1)),
                    "last_error": "",
                    "created_at": at,
                    "gateway_id": "",
                    "recipient_encrypted": protection.encrypt(phone),
                    "recipient_masked": identifiers.mask_phone(phone),
                },
            )
        out = {
            "id": case,
            "number": number,
            "status": "registered",
            "applicant": {"id": applicant, "name": a.name, "number": document.number[:6]},
            "materials": [{"material": m, "position": p} for m, p in materials],
        }
        cursor.execute(
            "UPDATE cases_idempotencykey SET status = 201, content_type = %s, response = %s "
            "WHERE id = %s",
            ["application/json", json.dumps(out, ensure_ascii=False), idempotency],
        )
    return 201, out


urlpatterns = [path("bare/", api.urls)]
