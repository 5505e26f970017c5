import horizon
from django.utils.translation import gettext_lazy as _


class Reports(horizon.Panel):
    """DR compliance reports of the project's groups over a period, with downloads."""

    name = _("Reports")
    slug = "dr_reports"
    permissions = ("openstack.services.disaster-recovery",)
