"""Horizon's enabled files of the plugin: the project dashboard's "Disaster Recovery" panel
group with its overview, failover groups, operations, alerts, reports and audit trail panels,
and the admin dashboard's "Disaster Recovery" and audit trail panels. Install them by listing
this package among Horizon's enabled modules
(openstack_dashboard.utils.settings.update_dashboards), or copy the `_*.py` files into
openstack_dashboard/local/enabled/."""
