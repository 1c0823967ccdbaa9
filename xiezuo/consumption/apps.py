from django.apps import AppConfig


class ConsumptionConfig(AppConfig):
    """Consumption help: certified western products, buyers, channels, reserved shares and purchase records."""

    name = "xiezuo.consumption"
    label = "consumption"
    verbose_name = "消费帮扶"

    def ready(self):
        from xiezuo.core.importing import register_importers

        from .importers import ProductImporter, PurchaseImporter

        register_importers(ProductImporter(), PurchaseImporter())
