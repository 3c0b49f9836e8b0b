"""Text search that an index serves: the one way Bangban finds rows by a substring of their text
(docs/decisions/0062-bigram-search.md).

Most queries at the counter are one or two Chinese characters (医保, 低保, 户口): a trigram index
(SQLite FTS5's trigram tokenizer, PostgreSQL's pg_trgm) does not serve them, and `LIKE '%…%'` reads
every row. So an app keeps, beside the rows it searches, a table of their grams (a model built on
`Gram`: the gram and a foreign key to the row, on both databases a plain B-tree index):

- `grams(*texts)`: what goes in for a row — each character and each adjacent pair of characters
  of each word (a run without blanks) of the lower-cased texts: 低保 db → 低 保 低保 d b db;
- `query_grams(text)`: what a query asks for — a one-character word its unigram, a longer word the
  bigrams that cover it (养老保险 → 养老 保险), all of them together;
- `having_grams(rows, text, key)`: the values of `key` (the row's id) of the gram rows `rows`
  holding every gram of the query — the candidates;
- `gram_candidates(rows, text, key)`: those holding its rarest gram instead, or None when every gram
  is held by most rows and a scan serves better (decision 0069).

A row whose text contains the query holds every one of the query's grams, so the candidates are
never fewer than the matches; they may be more (保险 and 险参 both in a text without 保险参), so the
caller keeps its exact substring test and applies it to the candidates only. The results are
exactly the substring search's; the index only spares reading the rows that cannot match.
"""

from __future__ import annotations

import unicodedata

from django.conf import settings
from django.db import connections, models
from django.db.models import Count
from django.utils.translation import gettext_lazy as _


class Gram(models.Model):
    """One gram (a character or two adjacent ones, lower-cased) of a searched row; a concrete model
    adds the foreign key to its row (and whatever narrows a search, such as the county) and the
    indexes that start with `gram`."""

    gram = models.CharField(_("检索片段"), max_length=2)

    class Meta:
        abstract = True


def _words(text: str) -> list[str]:
    return (text or "").lower().split()


def grams(*texts: str) -> set[str]:
    """The grams of `texts` as stored: each character and each adjacent pair of each word of the
    lower-cased texts (a pair never spans a blank, so a word's initials never run into the next)."""
    found: set[str] = set()
    for text in texts:
        for word in _words(text):
            found.update(word)
            found.update(word[i : i + 2] for i in range(len(word) - 1))
    return found


def query_grams(text: str) -> set[str]:
    """Grams a row must hold to contain `text`: a one-character word's unigram, and of a longer
    word the bigrams that cover its characters without overlapping, the last one overlapping its
    neighbour when the length is odd (养老保险参保 → 养老 保险 参保; 身份证 → 身份 份证). A query's
    inner words are whole words of the row's text, its first and last ones a part of one, so each
    word's bigrams are among the row's; the overlapping ones left out would narrow the candidates
    little (the exact test follows anyway) and cost one more index range each."""
    wanted: set[str] = set()
    for word in _words(text):
        if len(word) == 1:
            wanted.add(word)
        else:
            starts = {*range(0, len(word) - 1, 2), len(word) - 2}
            wanted.update(word[i : i + 2] for i in starts)
    return wanted


def grams_suffice(text: str) -> bool:
    """Whether holding the grams of `text` is the same as containing it, so the exact test can be
    skipped: one or two letters without case (Chinese characters: 证, 低保). Their grams are the
    text itself, stored only where a word holds it, and no other character lower-cases to them."""
    return 1 <= len(text) <= 2 and all(unicodedata.category(c) == "Lo" for c in text)


def having_grams(rows: models.QuerySet, text: str, key: str) -> models.QuerySet:
    """The values of `key` among the gram rows `rows` (a queryset of a `Gram` model, narrowed as
    the caller likes, by county for instance) of the ids holding every gram of `text`: one index
    range for a single gram, and for several the ids found under each counted (a row holds a gram
    once, so an id found under all n of them is counted n times). Use it as `pk__in=`, and keep
    the exact substring test beside it. An empty query selects every id among `rows`."""
    wanted = sorted(query_grams(text))
    if len(wanted) <= 1:
        return rows.filter(gram__in=wanted).values(key) if wanted else rows.values(key)
    return (
        rows.filter(gram__in=wanted)
        .values(key)
        .annotate(found=Count("*"))
        .filter(found=len(wanted))
        .values(key)
    )


def capped_counts(rows: models.QuerySet, wanted: list[str], cap: int) -> dict[str, int]:
    """How many of the gram rows `rows` hold each gram of `wanted`, counted up to `cap` (a gram held
    by more rows counts `cap`): one query, a sub-query per gram reading at most `cap` entries of the
    (gram, row) index, where a plain count reads the whole range (62,000 rows for 服务 among the
    directory's points, decision 0069)."""
    parts, params = [], []
    for gram in wanted:
        sql, p = rows.filter(gram=gram).order_by().values("gram")[:cap].query.sql_with_params()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) capped)")  # noqa: S608
        params.extend(p)
    # Built only from compiled querysets; every value is a parameter.
    with connections[rows.db].cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", params)  # noqa: S608
        return dict(zip(wanted, cursor.fetchone(), strict=True))


def gram_candidates(rows: models.QuerySet, text: str, key: str, *, cap: int | None = None):
    """The candidates for `text` among the gram rows `rows` (the values of `key`, for `pk__in=`):
    those holding its rarest gram, when that gram is held by fewer than `cap` rows
    (`settings.BANGBAN_SEARCH_GRAM_CAP`); or None when every gram of the text is common (held by
    `cap` rows or more), and the caller's substring test alone — a scan, which serves best a text
    matching much of the table — is the search. Finding the rarest costs one query
    (`capped_counts`), made when this is called, not when the candidates are read; the rarest gram
    goes into the candidates' query as a value, so the planner estimates them from its statistics.
    Candidates are never fewer than the matches (a row containing the text holds all its grams);
    the exact test follows unless `grams_suffice`. An empty query selects every id among `rows`.
    Where most grams of a query are common to nearly every row (便民 服务 of every point's name,
    decision 0069), this reads one short range where `having_grams` counts every long one."""
    wanted = sorted(query_grams(text))
    if not wanted:
        return rows.values(key)
    cap = cap or settings.BANGBAN_SEARCH_GRAM_CAP
    counts = capped_counts(rows, wanted, cap)
    rarest = min(wanted, key=lambda gram: (counts[gram], gram))
    if counts[rarest] >= cap:
        return None
    return rows.filter(gram=rarest).values(key)
