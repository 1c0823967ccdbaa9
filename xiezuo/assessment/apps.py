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

        # A holiday arrangement entered as data is read again at once in this process.
        from django.db.models.signals import post_delete, post_save

        from .models import CalendarDay, CalendarYear
        from .workdays import forget_entered_years

        for model in (CalendarYear, CalendarDay):
            post_save.connect(forget_entered_years, sender=model, dispatch_uid=f"workdays-{model.__name__}-save")
            post_delete.connect(forget_entered_years, sender=model, dispatch_uid=f"workdays-{model.__name__}-delete")
