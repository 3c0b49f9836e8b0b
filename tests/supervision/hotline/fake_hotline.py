"""A stand-in for the 12345 platform: a real HTTP server on 127.0.0.1 in a thread, speaking the
contract of docs/hotline.md — signed requests both ways, `GET /tickets?since=&limit=`,
`POST /ticket-actions` — and storing each action by (ticketNo, action, sequence), so that a repeat is
acknowledged without acting twice (`created` counts what it acted on).

Its small API, for the contract tests and the lead's browser test alike:

- `ticket(**fields)` → a ticket record (the platform's field names; a fresh ticket number), and
  `enqueue(**fields)` → the same, held to be pulled by `GET /tickets`;
- `call_back(base_url, record)` → POST a ticket (or `decide(…)`, an extension decision) to our
  callback `…/api/v1/hotline/callback`, signed as the platform signs: (status, answer);
- `received(ticket_no=None)` → the actions acted on, in order (`[{"ticketNo", "action", …}]`);
- `down("refuse" | "503")`, `up()`, `lose_acks(n)`: the platform down and back, and the next n
  pushes stored but answered by a dropped connection (a lost acknowledgement).
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from bangban.kernel.signing import signature_problem, signed_headers

APP_ID = "bangban-12345-test"
SECRET = "hotline-secret-不要用于生产"
COUNTY = "370323"  # 沂源县

ACTIONS = {"sign", "return", "extension", "answer"}
_numbers = itertools.count(1)


class FakeHotline:
    def __init__(self, app_id: str = APP_ID, secret: str = SECRET) -> None:
        self.app_id, self.secret = app_id, secret
        self.lock = threading.Lock()
        #: Tickets held to be pulled, in order: (sequence, record).
        self.held: list[tuple[int, dict]] = []
        #: What was acted on, by (ticketNo, action, sequence), in the order acted on.
        self.actions: dict[tuple[str, str, int], dict] = {}
        self.created: Counter = Counter()
        self.requests: list[dict] = []
        self.refused: list[str] = []
        self.nonces: set[str] = set()
        self.mode = "up"
        self._lost_acks = 0
        self.port = 0
        self.server: ThreadingHTTPServer | None = None

    # --- the test's controls ------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/12345"

    def start(self) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

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

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    # --- tickets and decisions ----------------------------------------------------------------

    def ticket(self, **fields) -> dict:
        """A ticket as the platform dispatches it: a 投诉 (推诿扯皮) in 沂源县, dispatched now."""
        record = {
            "type": "ticket",
            "ticketNo": f"SD12345-{time.strftime('%Y%m%d')}-{next(_numbers):05d}",
            "dispatchTime": time.strftime("%Y-%m-%d %H:%M:%S"),
            "appealType": "03",
            "problemType": "0102",
            "title": "村便民服务站不给办理",
            "content": "到村里便民服务站办社保卡挂失，工作人员说不归他们管。",
            "citizenName": "王女士",
            "citizenPhone": "13805331234",
            "areaCode": COUNTY,
            **fields,
        }
        return {k: v for k, v in record.items() if v is not None}

    def enqueue(self, **fields) -> dict:
        """A ticket held for our next pull."""
        record = self.ticket(**fields)
        with self.lock:
            self.held.append((len(self.held) + 1, record))
        return record

    def decide(self, ticket_no: str, approved: bool, note: str = "", area=COUNTY) -> dict:
        """The hotline centre's decision on an extension request."""
        return {
            "type": "extension",
            "ticketNo": ticket_no,
            "areaCode": area,
            "approved": 1 if approved else 0,
            "note": note,
        }

    def signed(self, record: dict, now: float | None = None) -> dict:
        """The headers the platform sends with a callback of `record`."""
        return signed_headers(record, app_id=self.app_id, secret=self.secret, now=now)

    def call_back(self, base_url: str, record: dict) -> tuple[int, dict]:
        """POST `record` to our callback at `base_url` (a live server), signed."""
        body = json.dumps(record, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8", **self.signed(record)}
        url = base_url.rstrip("/") + "/api/v1/hotline/callback"
        request = urllib.request.Request(url, data=body, headers=headers)  # noqa: S310 - a test URL
        try:
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - a test URL
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"{}")

    def received(self, ticket_no: str | None = None) -> list[dict]:
        """The actions acted on (each once), in order; of one ticket when given."""
        with self.lock:
            return [r for (t, _a, _s), r in self.actions.items() if ticket_no in (None, t)]

    def pushes(self) -> list[dict]:
        """Every push that reached the platform, repeats included."""
        return [r["json"] for r in self.requests if r["path"] == "/ticket-actions"]

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
                path = split.path.removeprefix("/12345")
                if method == "POST":
                    raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                    try:
                        params = json.loads(raw.decode("utf-8"))
                    except ValueError:
                        return self._refuse("json")
                else:
                    params = dict(urllib.parse.parse_qsl(split.query, keep_blank_values=True))
                with fake.lock:
                    fake.requests.append(
                        {
                            "path": path,
                            "json": params if method == "POST" else None,
                            "key": self.headers.get("Idempotency-Key"),
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
                if (method, path) == ("GET", "/tickets"):
                    return self._pull(params)
                if (method, path) == ("POST", "/ticket-actions"):
                    return self._act(params)
                return self._answer(404, {"code": "404", "msg": "no such interface"})

            def _act(self, params: dict) -> None:
                ticket_no, action = params.get("ticketNo"), params.get("action")
                sequence = params.get("sequence")
                if action not in ACTIONS or not ticket_no or not isinstance(sequence, int):
                    return self._refuse("fields")
                key = f"{ticket_no}:{action}:{sequence}"
                if self.headers.get("Idempotency-Key") != key:
                    return self._refuse("idempotency-key")
                with fake.lock:
                    done = {a for (t, a, _s) in fake.actions if t == ticket_no}
                if action == "answer" and "sign" not in done:
                    return self._refuse("order: answer before sign")
                with fake.lock:
                    created = (ticket_no, action, sequence) not in fake.actions
                    if created:
                        fake.actions[(ticket_no, action, sequence)] = params
                        fake.created[(ticket_no, action, sequence)] += 1
                    lose = fake._lost_acks > 0
                    fake._lost_acks = max(0, fake._lost_acks - 1)
                if lose:
                    self.close_connection = True
                    return  # acted on, but no answer: the acknowledgement is lost
                self._answer(200, {"code": "0", "msg": "ok", "data": {"created": created}})

            def _pull(self, params: dict) -> None:
                after = int(params.get("since") or 0)
                limit = int(params.get("limit") or 100)
                with fake.lock:
                    page = [(n, r) for n, r in fake.held if n > after][:limit]
                cursor = str(page[-1][0]) if page else str(after)
                items = [{k: v for k, v in r.items() if k != "type"} for _n, r in page]
                self._answer(
                    200, {"code": "0", "msg": "ok", "data": {"items": items, "cursor": cursor}}
                )

            def do_GET(self):
                self._handle("GET")

            def do_POST(self):
                self._handle("POST")

        return Handler
