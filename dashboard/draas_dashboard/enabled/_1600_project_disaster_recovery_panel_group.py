"""The project dashboard's "Disaster Recovery" panel group; the plugin's app and its errors."""

from django.utils.translation import gettext_lazy as _

from draas_dashboard.api import errors

PANEL_GROUP = "disaster_recovery"
PANEL_GROUP_NAME = _("Disaster Recovery")
PANEL_GROUP_DASHBOARD = "project"

ADD_INSTALLED_APPS = ["draas_dashboard"]

# The gateway's problem documents as Horizon's recoverable, not-found and unauthorized errors.
ADD_EXCEPTIONS = {
    "recoverable": errors.RECOVERABLE,
    "not_found": errors.NOT_FOUND,
    "unauthorized": errors.UNAUTHORIZED,
}
