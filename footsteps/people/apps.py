from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "footsteps.people"
    label = "people"

    def ready(self):
        from footsteps.people import receivers  # noqa: F401
