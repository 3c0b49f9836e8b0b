from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "bangban.feedback"
    verbose_name = _("好差评")
