"""draas in Horizon: the Disaster Recovery panels of the project and admin dashboards."""
