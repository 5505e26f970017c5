PANEL = "dr_alerts"
PANEL_DASHBOARD = "project"
PANEL_GROUP = "disaster_recovery"
ADD_PANEL = "draas_dashboard.content.alerts.panel.Alerts"
