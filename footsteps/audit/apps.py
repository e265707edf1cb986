from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "footsteps.audit"
    label = "audit"
