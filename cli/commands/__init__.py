"""The `draas` commands, by subject."""
