from django.apps import AppConfig


class HouseholdsConfig(AppConfig):
    """The anti-return-to-poverty monitoring registry: households, members, risk screening and the identification and exit workflow."""

    name = "xiezuo.households"
    label = "households"
    verbose_name = "防返贫监测"

    def ready(self):
        from xiezuo.core.importing import register_importers

        from .importers import HouseholdImporter

        register_importers(HouseholdImporter())
