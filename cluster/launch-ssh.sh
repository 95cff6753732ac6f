#!/bin/bash
# Start RNNSweep workers on other hosts over ssh, one per core (or -n N per host), in the foreground:
# Ctrl-C (or the end of this script) ends them all, because each worker lives in its ssh session;
# the workers exit by themselves when the coordinator reports the sweep complete, and so does this script.
#   cluster/launch-ssh.sh -e tcp://head:5555 -k keys/ [-F ssh_config] host1 host2 ...
# Each host needs the `worker` binary on PATH (or -b PATH) and the key files in the same place.
set -euo pipefail
usage() { echo "usage: $0 -e ENDPOINT [-k KEYS_DIR] [-n WORKERS_PER_HOST] [-b WORKER_BIN] [-F SSH_CONFIG] HOST..." >&2; exit 2; }
ENDPOINT="" KEYS="" PER_HOST="" BIN="worker" SSH=(ssh)
while getopts "e:k:n:b:F:" opt; do
  case $opt in e) ENDPOINT=$OPTARG ;; k) KEYS=$OPTARG ;; n) PER_HOST=$OPTARG ;; b) BIN=$OPTARG ;; F) SSH=(ssh -F "$OPTARG") ;; *) usage ;; esac
done
shift $((OPTIND - 1))
[ -n "$ENDPOINT" ] && [ $# -gt 0 ] || usage
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM
for host in "$@"; do
  n=$PER_HOST
  [ -n "$n" ] || n=$("${SSH[@]}" -o BatchMode=yes "$host" nproc)
  for ((i = 0; i < n; i++)); do
    # A private per-user folder (the worker creates it 0700 and refuses one others can write).
    args="run --connect $ENDPOINT --exit-when-done --pin $i --state-dir \${XDG_STATE_HOME:-\$HOME/.local/state}/rnnsweep/worker-$i"
    [ -n "$KEYS" ] && args="$args --server-key $KEYS/coordinator.pub --key $KEYS/worker.key"
    # -tt: the remote worker gets SIGHUP and exits when this ssh session ends.
    "${SSH[@]}" -tt -o BatchMode=yes -o ServerAliveInterval=10 "$host" "exec $BIN $args" \
      > >(sed "s/^/[$host:$i] /") 2>&1 < /dev/null &
    pids+=($!)
  done
  echo "started $n workers on $host"
done
wait
