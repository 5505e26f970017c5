import horizon
from django.utils.translation import gettext_lazy as _


class Alerts(horizon.Panel):
    """The project's alerts from every site, where this site delivers them, and the delivery
    log."""

    name = _("Alerts")
    slug = "dr_alerts"
    permissions = ("openstack.services.disaster-recovery",)
