from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "drugscene.core"
    label = "core"
