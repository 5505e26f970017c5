PANEL = "dr_operations"
PANEL_DASHBOARD = "project"
PANEL_GROUP = "disaster_recovery"
ADD_PANEL = "draas_dashboard.content.operations.panel.Operations"
