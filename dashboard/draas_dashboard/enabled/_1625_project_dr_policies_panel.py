PANEL = "dr_policies"
PANEL_DASHBOARD = "project"
PANEL_GROUP = "disaster_recovery"
ADD_PANEL = "draas_dashboard.content.policies.panel.Policies"
