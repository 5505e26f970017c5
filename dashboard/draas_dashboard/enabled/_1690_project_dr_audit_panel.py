PANEL = "dr_audit"
PANEL_DASHBOARD = "project"
PANEL_GROUP = "disaster_recovery"
ADD_PANEL = "draas_dashboard.content.audit.panel.AuditTrail"
