from django.apps import AppConfig


class RhythmConfig(AppConfig):
    name = "xiezuo.rhythm"
    label = "rhythm"
    verbose_name = "工作机制"

    def ready(self):
        from . import sources  # noqa: F401  registers consultation decisions as items
