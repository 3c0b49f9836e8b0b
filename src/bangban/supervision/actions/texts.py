"""What the complaint actions text the complainant (decision 0055): the answer to a named letter to
the director's mailbox or a window complaint, with the private query link, sent through the outbox
in the caller's transaction (`cases.notifications`, where every text is). A 12345 ticket is answered
through the platform (`hotline.outbox`), never by us; an anonymous letter leaves no phone."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from bangban.cases import notifications
from bangban.kernel import protection

from ..models import Complaint, Source

#: The sources whose complainant we answer ourselves.
TEXTED_SOURCES = frozenset({Source.MAILBOX, Source.WINDOW})


def query_link(complaint: Complaint) -> str:
    """The complaint's private query page as an absolute URL on the site's public address."""
    base = getattr(settings, "BANGBAN_PUBLIC_URL", "").rstrip("/")
    return base + reverse("mailbox:query", args=[complaint.public_token])


def tell_answered(complaint: Complaint, text: str) -> bool:
    """Text the answer `text` to the complainant of a named mailbox or window complaint who left a
    mobile phone. Whether a text was queued."""
    if complaint.source not in TEXTED_SOURCES or complaint.anonymous:
        return False
    phone = protection.decrypt_or_blank(complaint.phone_encrypted)
    body = notifications.complaint_answered(complaint.number, text, query_link(complaint))
    return notifications.tell_complainant(phone, body, f"complaint:{complaint.pk}")
