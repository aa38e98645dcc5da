from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScenesConfig(AppConfig):
    name = "drugscene.scenes"
    label = "scenes"
    verbose_name = _("scenes")
