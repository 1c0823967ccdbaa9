from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "xiezuo.people"
    label = "people"
    verbose_name = "干部人才"

    def ready(self):
        from xiezuo.core.importing import register_importers

        from .importers import DispatchImporter

        register_importers(DispatchImporter())
