from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _load_shipped(sender, using="default", **kwargs):
    # Every migrate (and every test database flush) leaves the shipped
    # frameworks in place, so a new site and every test start with the EYFS.
    from footsteps.assessments.loading import load_shipped

    load_shipped(using=using)


class AssessmentsConfig(AppConfig):
    name = "footsteps.assessments"
    label = "assessments"
    verbose_name = "EYFS frameworks and assessments"

    def ready(self):
        post_migrate.connect(_load_shipped, sender=self)
