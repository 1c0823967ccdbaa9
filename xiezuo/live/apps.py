from django.apps import AppConfig


class LiveConfig(AppConfig):
    """The live dashboard: its page, its figures and the server-sent event stream."""

    name = "xiezuo.live"
    label = "live"
    verbose_name = "实时看板"
