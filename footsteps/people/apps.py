from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "footsteps.people"
    label = "people"
