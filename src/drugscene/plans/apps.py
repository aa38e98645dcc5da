from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "drugscene.plans"
    label = "plans"
    verbose_name = _("drug-policy plans")
