from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "xiezuo.regions"
    label = "regions"
    verbose_name = "行政区划"

    def ready(self):
        from xiezuo.core.importing import register_importers

        from .importers import RegionFactImporter, KeyAssistanceImporter

        register_importers(RegionFactImporter(), KeyAssistanceImporter())
