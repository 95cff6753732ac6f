#!/bin/bash
# Stops what slurm-up.sh started (the pid files listed in $1), jobs first: slurmstepd outlives slurmd.
set -u
STARTED=${1:?usage: slurm-down.sh STARTED_PIDFILES_LIST}
[ -s "$STARTED" ] || exit 0
stop_pidfile() {
  local p=$1 pid; [ -s "$p" ] || return 0; pid=$(cat "$p")
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}
if grep -q slurmctld "$STARTED" && [ -s /run/slurmctld-rnnsweep-ci.pid ] && kill -0 "$(cat /run/slurmctld-rnnsweep-ci.pid)" 2>/dev/null; then
  scancel --partition=debug 2>/dev/null || true
  for _ in $(seq 150); do [ -z "$(squeue -h 2>/dev/null)" ] && break; sleep 0.2; done
fi
for p in /run/slurmd-rnnsweep-ci.pid /run/slurmctld-rnnsweep-ci.pid /run/munge/munged.pid; do
  grep -qx "$p" "$STARTED" && stop_pidfile "$p"
done
: > "$STARTED"
exit 0
