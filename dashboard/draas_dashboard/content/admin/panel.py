import horizon
from django.utils.translation import gettext_lazy as _


class DisasterRecovery(horizon.Panel):
    """Every project's groups and operations, and the sites' replication health (the admin
    dashboard shows it to admins only)."""

    name = _("Disaster Recovery")
    slug = "dr_admin"
    permissions = ("openstack.services.disaster-recovery",)
