from django.apps import AppConfig


class DatagenConfig(AppConfig):
    """The national data generator: no models, only its commands (generate_labour,
    generate_households, generate_markets, generate_consumption)."""

    name = "xiezuo.datagen"
    label = "datagen"
    verbose_name = "数据生成"
