from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WalksConfig(AppConfig):
    name = "drugscene.walks"
    label = "walks"
    verbose_name = _("walks")
