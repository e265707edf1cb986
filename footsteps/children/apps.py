from django.apps import AppConfig


class ChildrenConfig(AppConfig):
    name = "footsteps.children"
    label = "children"
