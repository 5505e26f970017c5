import horizon
from django.utils.translation import gettext_lazy as _


class Policies(horizon.Panel):
    """This site's DR policies: templates that groups are made from and that tagged servers
    follow."""

    name = _("DR Policies")
    slug = "dr_policies"
    permissions = ("openstack.services.disaster-recovery",)
