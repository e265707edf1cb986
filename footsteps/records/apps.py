from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "footsteps.records"
    label = "records"
    verbose_name = "Records: the deleted area, purges and erasures"
