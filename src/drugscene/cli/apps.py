from django.apps import AppConfig


class CliConfig(AppConfig):
    name = "drugscene.cli"
    label = "cli"
