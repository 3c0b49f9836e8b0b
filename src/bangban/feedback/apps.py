from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "bangban.feedback"
    verbose_name = _("好差评")

    def ready(self) -> None:
        # The provincial adapter's periodic jobs (huey finds only modules named `tasks`).
        from . import province_tasks  # noqa: F401
