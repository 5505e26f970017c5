"""The durable workflow engine: operations as plans of units in tiers, each unit a chain of
idempotent steps, state in SQL, units claimed with leases by any worker of any replica."""
