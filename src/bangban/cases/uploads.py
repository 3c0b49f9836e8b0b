"""An authorisation scan kept across a failed registration (decision 0039).

A browser empties a file input when the form comes back with errors, so a helper who chose the
signed 委托书 scan and mistyped a phone would lose it without noticing. When the registration fails,
the scan (if it is itself acceptable) is stored apart, under `PENDING_DIR` in the default storage,
and the form carries a signed token naming it and the user it belongs to; the next submit uses it
unless a new file is chosen. Only the same user can use the token, for `KEEP_SECONDS`; the hourly
task `sweep_pending_scans` deletes what was never used.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from pathlib import PurePath

from django.core import signing
from django.core.files import File
from django.core.files.storage import default_storage

#: Where kept scans wait, inside the default storage (never served: MEDIA_ROOT has no URL).
PENDING_DIR = "pending-scans"
#: How long a kept scan stays usable.
KEEP_SECONDS = 24 * 60 * 60
_SALT = "bangban.cases.kept-scan"


@dataclass(frozen=True)
class KeptScan:
    token: str
    name: str  # the file name as the helper chose it
    path: str  # in the default storage

    def open(self) -> File:
        """The kept file, named as it was chosen (the registration stores it under that name)."""
        return File(default_storage.open(self.path, "rb"), name=self.name)


def _safe_name(name: str) -> str:
    base = PurePath(str(name).replace("\\", "/")).name.strip() or "scan"
    return base[-100:]


def keep(upload, user) -> KeptScan:
    """Store `upload` apart for `user`; the KeptScan the form carries on."""
    name = _safe_name(upload.name)
    suffix = PurePath(name).suffix.lower()
    upload.seek(0)
    path = default_storage.save(f"{PENDING_DIR}/{secrets.token_hex(16)}{suffix}", upload)
    token = signing.dumps({"p": path, "n": name, "u": user.pk}, salt=_SALT, compress=True)
    return KeptScan(token=token, name=name, path=path)


def kept(token: str, user) -> KeptScan | None:
    """The scan a token names, if it was kept for `user`, is recent and is still there."""
    if not token:
        return None
    try:
        data = signing.loads(token, salt=_SALT, max_age=KEEP_SECONDS)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("u") != user.pk:
        return None
    path = str(data.get("p", ""))
    if not path.startswith(f"{PENDING_DIR}/") or not default_storage.exists(path):
        return None
    return KeptScan(token=token, name=str(data.get("n", "")), path=path)


def discard(scan: KeptScan | None) -> None:
    if scan is not None:
        default_storage.delete(scan.path)


def sweep(now: float | None = None) -> int:
    """Delete the kept scans older than KEEP_SECONDS; how many."""
    cutoff = (now or time.time()) - KEEP_SECONDS
    try:
        _dirs, files = default_storage.listdir(PENDING_DIR)
    except FileNotFoundError:
        return 0
    removed = 0
    for name in files:
        path = f"{PENDING_DIR}/{name}"
        if default_storage.get_modified_time(path).timestamp() < cutoff:
            default_storage.delete(path)
            removed += 1
    return removed
