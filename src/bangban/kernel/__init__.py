"""The kernel: what every app of Bangban may import and no domain owns (docs/architecture.md,
docs/decisions/0041-one-kernel.md).

It comes below every app in the order apps depend on each other (network, workdays, messaging,
staff, catalog, cases, portal), so it imports no app, only Django and libraries: the contracts in
pyproject.toml (`[tool.importlinter]`) and tests/test_architecture.py hold it there. It is an
installed app only for its template tags (`{% load bangban %}`) and its nightly task (`tasks`); it
has no models or migrations
(abstract models only: `models.OutboxRow`, `search.Gram`).

- `errors`: `RuleError`, the one "a rule was broken: {field: [messages]}" each app subclasses, and
  `ApiError` (`NotVisible`, `Forbidden`) for the API's other answers; `bangban/api.py` answers them.
- `api`: the one error shape (`error_response`), the paging limits (`Limit`, `Offset`) and the
  refusal of an unknown query parameter (`refuse_unknown_query`).
- `schemas`: the API's schema bases and input types (`Input`, `text()`, `day()`, `Id`, `ErrorOut`).
- `forms`: a `RuleError` back on a page's form (`add_rule_errors`).
- `spreadsheets`: the Excel engine (reading and checking uploads, templates, exports).
- `history`: the admin history (`log_change`).
- `uploads`: what an uploaded file must be (material, scans).
- `protection`: encrypting personal data at rest and keyed digests for finding it again
  (docs/decisions/0030-nothing-in-clear-completes-a-mask.md); `masks`: what pages show of it.
- `days`: the earliest and latest days that make sense (decision 0032).
- `rotation`: re-encrypting every protected column and recomputing every digest after a key change,
  over the columns each app declares in its `protected.py`.
- `clients`: the client's address behind the reverse proxy, for the login lockouts, the rate limits
  and the log of revealed ID numbers (docs/decisions/0035-limits-that-hold-in-production.md).
- `workflow`: the shape of a state machine (transitions with named conditions, `check`, and
  `permitted`, the one answer to "what may this user do now"), decision 0042; `workflow_chart`:
  any such table drawn as a chart.
- `layout`, `svg`: drawing the charts (a layered layout of a graph, standalone SVG files).
- `models`: small model helpers several apps share (`optional_link`).
- `search`: text search that an index serves — the grams (characters and character pairs) an app
  stores beside the rows it searches, and the candidates holding a query's grams, which the app then
  tests for the exact substring (docs/decisions/0062-bigram-search.md).
- `import_pages`: the one Excel import page (upload form, view, result) every app uses.
- `templatetags/bangban.py`: the project-wide template tags (`widget`, `page_url`).
- `signing`: signed requests to and from a partner platform (HMAC-SHA256 over the sorted
  parameters, the timestamp window, a nonce used once, a signing JSON client); `outbox`: the
  delivery loop of an outbox to such a platform (lease, back-off, give-up, retry) — the provincial
  好差评 adapter's and the 12345 hotline's (decisions 0052, 0056).
- `content_policy`: the Content-Security-Policy header on every response, the error pages included
  (docs/decisions/0044-content-security-policy.md).
- `statements`: fixed-shape queries compiled once per database (decision 0071).
- `tasks`: the database's own upkeep in the task worker: SQLite's planner statistics every night
  (decision 0072).
"""
