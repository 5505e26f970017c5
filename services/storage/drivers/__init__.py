"""Storage backends behind one abstract base."""
