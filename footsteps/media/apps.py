from django.apps import AppConfig


class MediaConfig(AppConfig):
    name = "footsteps.media"
    label = "media"
    verbose_name = "Photos and videos"
