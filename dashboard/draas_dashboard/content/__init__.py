"""The plugin's panels: overview, failover groups and operations in the project dashboard, and
the admin dashboard's Disaster Recovery panel."""
