from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "xiezuo.orgs"
    label = "orgs"
    verbose_name = "组织机构"

    def ready(self):
        from xiezuo.core.importing import register_importers

        from .importers import OrganisationImporter

        register_importers(OrganisationImporter())

        from xiezuo.core.ui.parts import register_part

        from . import filtersets

        register_part("region-detail", "organisations", lambda user, region: filtersets.organisations(user, region=region))
