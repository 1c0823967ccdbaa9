from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "xiezuo.orgs"
    label = "orgs"
    verbose_name = "组织机构"
