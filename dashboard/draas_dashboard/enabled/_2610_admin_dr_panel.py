PANEL = "dr_admin"
PANEL_DASHBOARD = "admin"
PANEL_GROUP = "disaster_recovery"
ADD_PANEL = "draas_dashboard.content.admin.panel.DisasterRecovery"
