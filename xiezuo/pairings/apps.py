from django.apps import AppConfig


class PairingsConfig(AppConfig):
    name = "xiezuo.pairings"
    label = "pairings"
    verbose_name = "结对关系"
