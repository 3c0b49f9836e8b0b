"""A stand-in for the provincial 好差评 system: a real HTTP server on 127.0.0.1 in a thread, speaking
the contract of docs/province.md — signed requests, `POST /service`, `POST /rating`,
`GET /ratings?cursor=&limit=`, `GET /health` — and storing by projectNo and (projectNo,
assessNumber), so that a repeat is acknowledged without creating anything.

It can go down — `down("refuse")` closes its socket (connections refused), `down("503")` answers
503 — and come back (`up()`); `lose_acks(n)` stores the next n pushes but drops the connection
before answering (a lost acknowledgement). `rate(...)` is a person rating on the province's own page
(or `default=True`, the province's default rating): pulled by `GET /ratings`.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from bangban.feedback.province.gateway import signature_problem, signed_headers

APP_ID = "bangban-test"
SECRET = "test-secret-不要用于生产"

SERVICE_FIELDS = {"projectNo", "taskCode", "areaCode", "taskName", "raterType", "serviceDate"}
RATING_FIELDS = {
    "projectNo",
    "assessNumber",
    "satisfaction",
    "reasonCodes",
    "text",
    "assessTime",
    "pf",
    "raterType",
}


class FakeProvince:
    def __init__(self, app_id: str = APP_ID, secret: str = SECRET) -> None:
        self.app_id, self.secret = app_id, secret
        self.lock = threading.Lock()
        self.services: dict[str, dict] = {}
        self.ratings: dict[tuple[str, int], dict] = {}
        #: Ratings the province holds to be pulled, in order: (sequence, record).
        self.held: list[tuple[int, dict]] = []
        self.created: Counter = Counter()  # (path, key) → how many times a record was created
        self.requests: list[dict] = []
        self.refused: list[str] = []  # why requests were refused (signature, fields, order)
        self.nonces: set[str] = set()
        self.mode = "up"
        self._lost_acks = 0
        self.port = 0
        self.server: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None

    # --- the test's controls ------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hcp"

    def start(self) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def down(self, how: str = "refuse") -> None:
        """`refuse`: nothing listens on the port; `503`: it answers 503 Service Unavailable."""
        if how == "refuse":
            self.stop()
        self.mode = how

    def up(self) -> None:
        if self.server is None:
            self.start()
        self.mode = "up"

    def lose_acks(self, times: int = 1) -> None:
        self._lost_acks += times

    def rate(self, project_no: str, satisfaction: int, *, assess: int = 1, **fields) -> dict:
        """A rating given on the province's own page (or its default rating: `isDefault=1`)."""
        record = {
            "projectNo": project_no,
            "assessNumber": assess,
            "satisfaction": satisfaction,
            "reasonCodes": [],
            "text": "",
            "assessTime": time.strftime("%Y-%m-%d %H:%M:%S"),
            "pf": 2,
            "isDefault": 0,
            **fields,
        }
        with self.lock:
            self.held.append((len(self.held) + 1, record))
        return record

    def signed(self, record: dict) -> dict:
        """The headers the province sends with a callback of `record`."""
        return signed_headers(record, app_id=self.app_id, secret=self.secret)

    def pushes(self, path: str) -> list[dict]:
        return [r["json"] for r in self.requests if r["path"] == path and r["json"] is not None]

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    # --- the server ---------------------------------------------------------------------------

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format, *args):
                pass

            def _answer(self, status: int, payload: dict) -> None:
                body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _refuse(self, why: str, status: int = 400) -> None:
                fake.refused.append(why)
                self._answer(status, {"code": str(status), "msg": why})

            def _handle(self, method: str) -> None:
                split = urllib.parse.urlsplit(self.path)
                path = split.path.removeprefix("/hcp")
                if method == "POST":
                    length = int(self.headers.get("Content-Length", "0"))
                    raw = self.rfile.read(length)
                    try:
                        params = json.loads(raw.decode("utf-8"))
                    except ValueError:
                        return self._refuse("json")
                else:
                    params = dict(urllib.parse.parse_qsl(split.query, keep_blank_values=True))
                with fake.lock:
                    fake.requests.append(
                        {
                            "method": method,
                            "path": path,
                            "json": params if method == "POST" else None,
                        }
                    )
                if fake.mode == "503":
                    return self._answer(503, {"code": "503", "msg": "维护中"})
                problem = signature_problem(
                    self.headers, params, app_id=fake.app_id, secret=fake.secret
                )
                if problem:
                    return self._refuse(f"signature:{problem}", 401)
                with fake.lock:
                    if self.headers["X-Nonce"] in fake.nonces:
                        return self._refuse("signature:replayed", 401)
                    fake.nonces.add(self.headers["X-Nonce"])
                if (method, path) == ("GET", "/health"):
                    return self._answer(200, {"code": "0", "msg": "ok", "data": {}})
                if (method, path) == ("GET", "/ratings"):
                    return self._pull(params)
                if (method, path) == ("POST", "/service"):
                    return self._store(
                        params, SERVICE_FIELDS, fake.services, params.get("projectNo")
                    )
                if (method, path) == ("POST", "/rating"):
                    if params.get("projectNo") not in fake.services:
                        return self._refuse("order: rating before its service record")
                    key = (params.get("projectNo"), params.get("assessNumber"))
                    return self._store(params, RATING_FIELDS, fake.ratings, key)
                return self._answer(404, {"code": "404", "msg": "no such interface"})

            def _store(self, params: dict, required: set, store: dict, key) -> None:
                missing = sorted(required - set(params))
                if missing:
                    return self._refuse("fields:" + ",".join(missing))
                with fake.lock:
                    created = key not in store
                    if created:  # a repeat of (projectNo[, assessNumber]) is the same record
                        store[key] = params
                        fake.created[key] += 1
                    lose = fake._lost_acks > 0
                    fake._lost_acks = max(0, fake._lost_acks - 1)
                if lose:
                    self.close_connection = True
                    return  # stored, but no answer: the acknowledgement is lost
                self._answer(200, {"code": "0", "msg": "ok", "data": {"created": created}})

            def _pull(self, params: dict) -> None:
                after = int(params.get("cursor") or 0)
                limit = int(params.get("limit") or 100)
                with fake.lock:
                    page = [(n, r) for n, r in fake.held if n > after][:limit]
                cursor = str(page[-1][0]) if page else str(after)
                self._answer(
                    200,
                    {
                        "code": "0",
                        "msg": "ok",
                        "data": {"items": [r for _n, r in page], "cursor": cursor},
                    },
                )

            def do_GET(self):
                self._handle("GET")

            def do_POST(self):
                self._handle("POST")

        return Handler
