"""Developer tooling: code generation, local launchers, the demo."""
