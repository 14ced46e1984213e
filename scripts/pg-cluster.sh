#!/usr/bin/env bash
# A throwaway PostgreSQL cluster in a folder of its own, for tests and benchmarks (Debian's postgresql package):
#
#   scripts/pg-cluster.sh start DIR [PORT]   makes the cluster in DIR if needed and starts it on 127.0.0.1:PORT
#                                            (a free port when not given); prints the superuser connection string
#   scripts/pg-cluster.sh stop DIR           stops it at once (connections are cut)
#
# As root the server runs as the postgres user, since PostgreSQL refuses to run as root. The cluster sorts text by
# bytes (C collation), as the draw's published method and SQLite do. It is built for speed, not durability: no
# fsync, and WAL files created without first being filled with zeros. A new cluster creates each WAL file as the
# log grows, and with zero-filling every commit waits tens of milliseconds whenever one is made; a server that has
# run for a while recycles its WAL files instead, which this comes closer to.
set -euo pipefail

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [[ -z "$bin" ]]; then
  echo "pg-cluster: PostgreSQL is not installed (apt-get install -y postgresql)" >&2
  exit 2
fi
run_as() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

cmd=${1:?usage: pg-cluster.sh start|stop DIR [PORT]}
dir=${2:?usage: pg-cluster.sh start|stop DIR [PORT]}
case "$cmd" in
  start)
    mkdir -p "$dir"
    [[ $(id -u) -eq 0 ]] && chown postgres: "$dir"
    if [[ ! -f "$dir/data/PG_VERSION" ]]; then
      run_as "$bin/initdb" -D "$dir/data" -U pingyi --auth=trust --locale=C --encoding=UTF8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    port=${3:-$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')}
    echo "$port" >"$dir/port"
    run_as "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
      -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c fsync=off -c wal_init_zero=off -c max_connections=300" start >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    echo "postgres://pingyi@127.0.0.1:$port/postgres"
    ;;
  stop)
    run_as "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    ;;
  *)
    echo "pg-cluster: unknown command $cmd" >&2
    exit 2
    ;;
esac
