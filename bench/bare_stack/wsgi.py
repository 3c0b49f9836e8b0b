"""gunicorn's entry of the bare stack (`bare_stack.wsgi`, bench/ on the path)."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bare_stack.settings")
application = get_wsgi_application()
