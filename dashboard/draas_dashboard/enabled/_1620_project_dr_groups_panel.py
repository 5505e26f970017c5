PANEL = "dr_groups"
PANEL_DASHBOARD = "project"
PANEL_GROUP = "disaster_recovery"
ADD_PANEL = "draas_dashboard.content.groups.panel.FailoverGroups"
