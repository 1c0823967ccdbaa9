from django.apps import AppConfig


class SocialConfig(AppConfig):
    """Social help: needs lists, social organisations taking them up, pledges and confirmed results."""

    name = "xiezuo.social"
    label = "social"
    verbose_name = "社会帮扶"

    def ready(self):
        from xiezuo.core.importing import register_importers

        from .importers import NeedImporter

        register_importers(NeedImporter())
