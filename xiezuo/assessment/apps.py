from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "xiezuo.assessment"
    label = "assessment"
    verbose_name = "考核评价"

    def ready(self):
        # Orders, warnings, proposals and tickets join the one list of what a post must do.
        from xiezuo.rhythm.items import source

        from .loop_items import items

        source(items)
