from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "bangban.catalog"
    verbose_name = _("事项目录")
