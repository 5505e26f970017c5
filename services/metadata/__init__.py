"""The metadata service: resource metadata and failover-group records of its site, the change log,
and replication to peer sites."""
