import horizon
from django.utils.translation import gettext_lazy as _


class FailoverGroups(horizon.Panel):
    name = _("Failover Groups")
    slug = "dr_groups"
    permissions = ("openstack.services.disaster-recovery",)
