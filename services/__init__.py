"""The DR services of a site; each runs as `python -m services.<name>`."""
