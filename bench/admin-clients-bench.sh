#!/usr/bin/env bash
# admin-api's client views with a million session records: loads them through smtp.sessions into admin-api
# (embedded Kafka and PostgreSQL, as the tests use), adds 200,000 mail store rows, and prints ingestion rate and
# query times (median and max of 7 calls). Usage: bench/admin-clients-bench.sh [sessions]
set -euo pipefail
cd "$(dirname "$0")/.."
sessions="${1:-1000000}"
flock /tmp/mailgw-maven.lock ./mvnw -B -q -o test -pl admin-api -Dtest=ClientQueriesBench \
    -Dsurefire.failIfNoSpecifiedTests=false -Dbench.sessions="$sessions" \
  | sed -n '/===== ClientQueriesBench/,/=====$/p'
