from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "xiezuo.people"
    label = "people"
    verbose_name = "干部人才"
