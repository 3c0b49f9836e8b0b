"""Numbers of the ledger: a case's number and a notice's (or a written refusal's), each from a
county's gap-free counter for the day. `next_sequence` writes the counter row; it runs inside the
caller's transaction (the action that numbers something). A case's rating card number
(`rating_cards`) is random instead: it must not be guessed from the case number (decision 0048)."""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import connection

from bangban.kernel.statements import Param, Statement

from .models import Case, CaseCounter


def next_sequence(county_id: int, day: dt.date, series: str = CaseCounter.Series.CASE) -> int:
    """The next number of a county on a day in a series (cases, notices): one statement on a counter
    row, inside the caller's transaction, so numbers are gap-free and never given twice
    (docs/architecture.md "SQLite")."""
    table = connection.ops.quote_name(CaseCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (county_id, day, series, last) VALUES (%s, %s, %s, 1) "  # noqa: S608 - table name only
            f"ON CONFLICT (county_id, day, series) DO UPDATE SET last = {table}.last + 1 "
            "RETURNING last",
            [county_id, day, series],
        )
        return cursor.fetchone()[0]


def case_number(county_code: str, day: dt.date, sequence: int, prefix: str = "") -> str:
    """`370323-20261125-0042` (docs/domain.md "Case numbers"): 4 digits, longer when needed; a notice's
    number has N before the sequence (`370323-20261125-N0007`)."""
    return f"{county_code}-{day:%Y%m%d}-{prefix}{sequence:04d}"


#: A rating card number has this many digits, the first never 0 (a spreadsheet keeps all of them).
RATING_CARD_DIGITS = 10


#: Cards looked up at once when checking that new ones are free.
CARD_BATCH = 500


def _card() -> str:
    low = 10 ** (RATING_CARD_DIGITS - 1)
    return str(low + secrets.randbelow(9 * low))


#: The cards among n drawn that are given already, compiled once per n (decision 0071).
_TAKEN = Statement(
    lambda n: (
        Case.objects.filter(rating_card__in=[Param(i) for i in range(n)])
        .order_by()
        .values_list("rating_card")
    )
)


def rating_cards(count: int) -> list[str]:
    """`count` new rating card numbers (评价卡号, printed on the receipt): 10 random digits each
    (`secrets`), never derived from the case number, distinct from each other and from every card
    already given (drawn again on a collision; the column's unique constraint is the last guard).
    Inside the caller's transaction, like `next_sequence`."""
    cards: set[str] = set()
    while len(cards) < count:
        drawn = list({_card() for _n in range(count - len(cards))} - cards)
        taken: set[str] = set()
        for start in range(0, len(drawn), CARD_BATCH):
            batch = drawn[start : start + CARD_BATCH]
            taken.update(card for (card,) in _TAKEN.tuples(batch, len(batch)))
        cards.update(card for card in drawn if card not in taken)
    return list(cards)
