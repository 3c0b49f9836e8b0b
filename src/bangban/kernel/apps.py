from django.apps import AppConfig


class KernelConfig(AppConfig):
    """Installed only for its template tags (`{% load bangban %}`): no models, no migrations."""

    name = "bangban.kernel"
    label = "kernel"
    verbose_name = "Bangban kernel"
