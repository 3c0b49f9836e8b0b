"""Reading a page in a test: its HTML as text, once its status is the one expected.

Checking the status first matters most for what a page must *not* show: a redirect to the login page,
a 404 or a 500 contains none of the words a test looks for, so `assert "…" not in text(response)`
would pass on a page that never rendered. Every test module reads pages through this one helper."""

from __future__ import annotations


def page_text(response, status: int = 200) -> str:
    """The response's body as text, after asserting its status code is `status`."""
    assert response.status_code == status, (
        f"status {response.status_code}, expected {status}: {response.content[:300]!r}"
    )
    return response.content.decode()
