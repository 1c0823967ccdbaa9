from django.apps import AppConfig


class MarketsConfig(AppConfig):
    """Factor markets: the land-quota exchange, the carbon-sink registry and the technology transfer centre."""

    name = "xiezuo.markets"
    label = "markets"
    verbose_name = "要素市场"

    def ready(self):
        from xiezuo.core.importing import register_importers
        from xiezuo.core.ui.parts import register_part

        from .importers import ListingImporter, NeedImporter, SplitImporter, TechnologyImporter
        from .land.shares import household_payouts

        register_importers(TechnologyImporter(), NeedImporter(), ListingImporter(), SplitImporter())
        # the household page lists the land-quota proceeds paid to the household
        register_part("household", "land_payouts", household_payouts)
