from django.apps import AppConfig


class ConsumptionConfig(AppConfig):
    """Consumption help: certified western products, buyers, channels, reserved shares and purchase records."""

    name = "xiezuo.consumption"
    label = "consumption"
    verbose_name = "消费帮扶"
