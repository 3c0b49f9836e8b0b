from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "bangban.cases"
    verbose_name = _("办件台账")

    def ready(self) -> None:
        from . import tasks  # noqa: F401 - connects the calendar_changed and export_requested receivers
