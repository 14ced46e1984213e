#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL server: a new cluster in a temporary folder, listening on
# 127.0.0.1 on a free port, stopped and removed afterwards. The command sees TEST_DATABASE_URL (a superuser
# connection to an empty database), which `npm test` and `npm run bench` use to run against PostgreSQL too.
#
#   scripts/with-postgres.sh npm test
#
# Needs Debian's postgresql package (initdb and pg_ctl under /usr/lib/postgresql/*/bin). As root, the server runs
# as the postgres user, since PostgreSQL refuses to run as root.
set -euo pipefail

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [[ -z "$bin" ]]; then
  echo "with-postgres: PostgreSQL is not installed (apt-get install -y postgresql)" >&2
  exit 2
fi

run_as() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

dir=$(mktemp -d /tmp/pingyi-pg.XXXXXX)
[[ $(id -u) -eq 0 ]] && chown postgres: "$dir"
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')

cleanup() {
  run_as "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT

# C collation: text sorts by bytes, as on SQLite and as the draw's published method says.
run_as "$bin/initdb" -D "$dir/data" -U pingyi --auth=trust --locale=C --encoding=UTF8 >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }
run_as "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c fsync=off -c max_connections=300" start >/dev/null \
  || { cat "$dir/server.log" >&2; exit 1; }
run_as "$bin/createdb" -h 127.0.0.1 -p "$port" -U pingyi pingyi

export TEST_DATABASE_URL="postgres://pingyi@127.0.0.1:$port/pingyi"
echo "with-postgres: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" >&2
"$@"
