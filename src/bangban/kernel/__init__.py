"""The kernel: what every app of Bangban may import and no domain owns (ARCHITECTURE.md "Layout").

It comes before every app in the order apps depend on each other, so it imports no app (`bangban.network`,
`bangban.cases` …), only Django and libraries; apps find each other's contributions through it by module
name, never by importing one another backwards. It is a plain package, not an installed app: it has no
models, migrations or management commands.

- `protection`: encrypting personal data at rest and keyed digests for finding it again
  (docs/decisions/0030-nothing-in-clear-completes-a-mask.md).
- `days`: the earliest and latest days that make sense (decision 0032).
- `rotation`: re-encrypting every protected column and recomputing every digest after a key change,
  over the columns each app declares in its `protected.py`.
- `clients`: the client's address behind the reverse proxy, for the login lockouts, the rate limits
  and the log of revealed ID numbers (docs/decisions/0035-limits-that-hold-in-production.md).
- `content_policy`: the Content-Security-Policy header on every response, the error pages included
  (docs/decisions/0044-content-security-policy.md).
"""
