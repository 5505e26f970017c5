-- One database per draas service that keeps state, in each site's PostgreSQL.
CREATE DATABASE metadata;
CREATE DATABASE orchestrator;
CREATE DATABASE gateway;
