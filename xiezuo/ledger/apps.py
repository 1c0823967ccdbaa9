from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "xiezuo.ledger"
    label = "ledger"
    verbose_name = "资金台账"

    def ready(self):
        from xiezuo.core.importing import register_importers

        from .importers import PostingImporter

        register_importers(PostingImporter())

        from xiezuo.core.ui.parts import register_part

        from .views import may_pay_into, project_money

        # The project page shows the project's funds; projects sits below the ledger.
        register_part("project-detail", "money", project_money)
        register_part("project-detail", "can_pay", may_pay_into)
