from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "xiezuo.ledger"
    label = "ledger"
    verbose_name = "资金台账"

    def ready(self):
        from xiezuo.core.importing import register_importers

        from .importers import PostingImporter

        register_importers(PostingImporter())
