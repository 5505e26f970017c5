PANEL = "dr_overview"
PANEL_DASHBOARD = "project"
PANEL_GROUP = "disaster_recovery"
ADD_PANEL = "draas_dashboard.content.overview.panel.Overview"
