"""What the plugin's unit tests use: Django settings based on Horizon's test settings, and a
small stateful fake of the draas gateway that stands in for `draas_dashboard.api.draas`."""
