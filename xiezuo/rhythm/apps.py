from django.apps import AppConfig


class RhythmConfig(AppConfig):
    name = "xiezuo.rhythm"
    label = "rhythm"
    verbose_name = "工作机制"

    def ready(self):
        from . import sources  # noqa: F401  registers consultation decisions as items

        # The project page names the post in charge of the project (项目专管岗).
        from xiezuo.core.ui.parts import register_part

        from .items import officer_posts

        register_part("project-detail", "officer_posts", officer_posts)

        # A holiday arrangement entered as data is read again at once in this process.
        from django.db.models.signals import post_delete, post_save

        from .models import CalendarDay, CalendarYear
        from .workdays import forget_entered_years

        for model in (CalendarYear, CalendarDay):
            post_save.connect(forget_entered_years, sender=model, dispatch_uid=f"workdays-{model.__name__}-save")
            post_delete.connect(forget_entered_years, sender=model, dispatch_uid=f"workdays-{model.__name__}-delete")
