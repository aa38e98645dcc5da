from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicConfig(AppConfig):
    name = "drugscene.public"
    label = "public"
    verbose_name = _("public pages and city comparison")
