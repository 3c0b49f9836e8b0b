from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    name = "bangban.staff"
    verbose_name = _("人员与培训")
