from django.apps import AppConfig


class RepairingConfig(AppConfig):
    """Re-pairing by data: pairing models, scenarios solved exactly, proposals applied by a person."""

    name = "xiezuo.repairing"
    label = "repairing"
    verbose_name = "结对优化"

    def ready(self):
        from . import tasks  # noqa: F401  (registers the Celery task with workers too)
