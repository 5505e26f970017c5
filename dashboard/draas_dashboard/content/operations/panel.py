import horizon
from django.utils.translation import gettext_lazy as _


class Operations(horizon.Panel):
    name = _("Operations")
    slug = "dr_operations"
    permissions = ("openstack.services.disaster-recovery",)
