#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL server: a new cluster in a temporary folder (scripts/pg-cluster.sh),
# listening on 127.0.0.1 on a free port, stopped and removed afterwards. The command sees TEST_DATABASE_URL (a
# superuser connection to an empty database), which `npm test` and `npm run bench` use to run against PostgreSQL too.
#
#   scripts/with-postgres.sh npm test
#
# Needs Debian's postgresql package (initdb and pg_ctl under /usr/lib/postgresql/*/bin).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

dir=$(mktemp -d /tmp/pingyi-pg.XXXXXX)
cleanup() {
  "$here/pg-cluster.sh" stop "$dir"
  rm -rf "$dir"
}
trap cleanup EXIT

url=$("$here/pg-cluster.sh" start "$dir")
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
port=$(cat "$dir/port")
if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$bin/createdb" -h 127.0.0.1 -p "$port" -U pingyi pingyi; else "$bin/createdb" -h 127.0.0.1 -p "$port" -U pingyi pingyi; fi

export TEST_DATABASE_URL="${url%/postgres}/pingyi"
echo "with-postgres: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" >&2
"$@"
