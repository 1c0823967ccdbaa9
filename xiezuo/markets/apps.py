from django.apps import AppConfig


class MarketsConfig(AppConfig):
    """Factor markets: the land-quota exchange, the carbon-sink registry and the technology transfer centre."""

    name = "xiezuo.markets"
    label = "markets"
    verbose_name = "要素市场"

    def ready(self):
        from xiezuo.core.importing import register_importers

        from .importers import ListingImporter, NeedImporter, TechnologyImporter

        register_importers(TechnologyImporter(), NeedImporter(), ListingImporter())
