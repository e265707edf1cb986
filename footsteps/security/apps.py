from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "footsteps.security"
    label = "security"

    def ready(self):
        from footsteps.security import receivers  # noqa: F401
