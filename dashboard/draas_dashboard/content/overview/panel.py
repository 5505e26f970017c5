import horizon
from django.utils.translation import gettext_lazy as _


class Overview(horizon.Panel):
    name = _("Overview")
    slug = "dr_overview"
    permissions = ("openstack.services.disaster-recovery",)
