from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "xiezuo.ledger"
    label = "ledger"
    verbose_name = "资金台账"
