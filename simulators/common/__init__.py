"""What the simulators share: the HTTP listener."""
