from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "xiezuo.core"
    label = "core"
    verbose_name = "核心"

    def ready(self):
        from . import audit  # noqa: F401  (connects the audit signal handlers)
        from . import sums

        sums.install()  # SQLite sums that cannot overflow
