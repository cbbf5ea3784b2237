#!/bin/sh
# Run once by the postgres image when it creates the primary's cluster: lets the replica
# stream from it (replication connections, with the same password).
set -eu
echo "host replication all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
