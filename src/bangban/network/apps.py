from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "bangban.network"
    verbose_name = _("服务网络")

    def ready(self):
        from . import checks, sessions  # noqa: F401 - a deployment check; a login receiver
