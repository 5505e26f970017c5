PANEL = "dr_admin_audit"
PANEL_DASHBOARD = "admin"
PANEL_GROUP = "disaster_recovery"
ADD_PANEL = "draas_dashboard.content.audit.panel.AdminAuditTrail"
