import horizon
from django.utils.translation import gettext_lazy as _


class AuditTrail(horizon.Panel):
    """The project's audit trail at this site: who changed what, when, and how it ended."""

    name = _("Audit Trail")
    slug = "dr_audit"
    permissions = ("openstack.services.disaster-recovery",)


class AdminAuditTrail(horizon.Panel):
    """Every project's audit trail at this site (the admin dashboard shows it to admins only)."""

    name = _("Audit Trail")
    slug = "dr_admin_audit"
    urls = "draas_dashboard.content.audit.admin_urls"
    permissions = ("openstack.services.disaster-recovery",)
