#!/bin/bash
# The coordinator against a real single-node SLURM (started here, stopped here by pid file):
#   1. `coordinator run sweeps/smoke.json --workers 0 --slurm 2` completes, its workers exit by
#      themselves (job COMPLETED), and no job is left in squeue;
#   1b. the same with the hand-written cluster/slurm-workers.sbatch;
#   2. the worker job is scancel'ed mid-sweep: the coordinator reports it, resubmits, and the
#      interrupted trial resumes from its checkpoint; again no job is left;
#   3. --slurm-partition/--slurm-time/--slurm-arg reach the job, and SIGTERM of the coordinator cancels it;
#   4. a re-run on the same port re-uses the job a SIGKILLed coordinator left;
#   5. a job sbatch refuses stops the run (exit 2).
#   sudo RNNSWEEP_DATA_DIR=../shared/data tools/ci/slurm-test.sh [BIN_DIR]
# MEASURE=1 also times a local-worker run of the smoke sweep for comparison.
# Exit 0 = passed, 3 = SLURM cannot be installed here (skipped), anything else = failed.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=$(cd "${1:-.build/debug}" && pwd)
WORK=$(mktemp -d /tmp/rnnsweep-slurm-test.XXXXXX)
STARTED=$WORK/started-daemons
COORD=""
MANUAL_JOB=""
log() { echo "[slurm-test] $*"; }
fail() { echo "[slurm-test] FAILED: $*" >&2; exit 1; }

cleanup() {
  if [ -n "$COORD" ] && kill -0 "$COORD" 2>/dev/null; then kill -TERM "$COORD"; wait "$COORD" 2>/dev/null || true; fi
  # Any job a run of this test submitted is cancelled, whatever happened.
  if [ -n "$MANUAL_JOB" ]; then scancel "$MANUAL_JOB" 2>/dev/null || true; fi
  for record in "$WORK"/*/runs/*/slurm-job.json; do
    [ -s "$record" ] || continue
    id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["job_id"])' "$record" 2>/dev/null) || continue
    scancel "$id" 2>/dev/null || true
  done
  bash tools/ci/slurm-down.sh "$STARTED"
  log "logs kept in $WORK"
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || fail "run as root (it installs and starts SLURM)"
[ -x "$BIN/coordinator" ] && [ -x "$BIN/worker" ] || fail "build first: swift build (looked in $BIN)"
set +e; bash tools/ci/slurm-up.sh "$STARTED"; rc=$?; set -e
[ $rc = 3 ] && { log "SKIPPED: SLURM (slurmctld slurmd slurm-client munge) cannot be installed here"; trap - EXIT; bash tools/ci/slurm-down.sh "$STARTED"; exit 3; }
[ $rc = 0 ] || fail "SLURM did not start (slurm-up.sh exit $rc)"

json() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }
active_jobs() { squeue -h -o %i; }
wait_for() {  # wait_for SECONDS FILE PATTERN
  for _ in $(seq $(($1 * 5))); do grep -qE -- "$3" "$2" && return 0; kill -0 "$COORD" 2>/dev/null || break; sleep 0.2; done
  grep -qE -- "$3" "$2"
}

# 1. The smoke sweep to completion.
mkdir -p "$WORK/smoke"
T0=$(date +%s.%N)
"$BIN/coordinator" run sweeps/smoke.json --workers 0 --slurm 2 --runs "$WORK/smoke" > "$WORK/smoke.out" 2> "$WORK/smoke.log" &
COORD=$!
# The first ASSIGN, seen to 0.05 s (the log's timestamps have whole seconds).
TA=""
for _ in $(seq 2400); do
  grep -qE "attempt 1 → worker" "$WORK/smoke.log" && { TA=$(date +%s.%N); break; }
  kill -0 "$COORD" 2>/dev/null || break; sleep 0.05
done
set +e; wait "$COORD"; rc=$?; set -e; COORD=""
T1=$(date +%s.%N)
[ $rc = 0 ] || fail "coordinator run --slurm 2 exited $rc: $(tail -5 "$WORK/smoke.log")"
RUN=$WORK/smoke/runs/smoke
JOB=$(json "$RUN/slurm-job.json" job_id)
grep -q "submitted SLURM job $JOB: 2 worker task" "$WORK/smoke.log" || fail "no submission reported"
[ -z "$(active_jobs)" ] || fail "jobs left in squeue: $(squeue -h)"
STATE=$(squeue -h -t all -j "$JOB" -o %T)
[ "$STATE" = COMPLETED ] || fail "job $JOB ended $STATE, not COMPLETED: its workers did not exit 0 on the sweep's end"
"$BIN/coordinator" status "$RUN" > "$WORK/smoke.status"
grep -q "queued 0" "$WORK/smoke.status" && grep -q "done 4" "$WORK/smoke.status" || fail "status: $(cat "$WORK/smoke.status")"
grep -q "SLURM job $JOB: COMPLETED" "$WORK/smoke.status" || fail "status shows no SLURM job line: $(cat "$WORK/smoke.status")"
for f in coordinator.key coordinator.pub worker.key allowed-workers; do
  [ "$(stat -c %a "$RUN/keys/$f")" = 600 ] || fail "keys/$f is not mode 0600"
done
grep -q "slurm-$JOB-0" <(ls "$RUN/workers") || fail "no per-task state folder"
log "check: smoke sweep complete on SLURM job $JOB (COMPLETED by itself, nothing left in squeue, status shows the job)"
log "measure: first ASSIGN $(python3 -c "print(round(${TA:-$T1}-$T0,2))") s after start; wall time $(python3 -c "print(round($T1-$T0,2))") s"

# 1b. The hand-written batch script against a coordinator that listens with keys.
mkdir -p "$WORK/manual/state"; KEYS=$WORK/manual/keys
"$BIN/coordinator" keygen "$KEYS/coordinator" >/dev/null
"$BIN/coordinator" keygen "$KEYS/worker" >/dev/null
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("0.0.0.0",0)); print(s.getsockname()[1])')
"$BIN/coordinator" run sweeps/smoke.json --workers 0 --listen "tcp://0.0.0.0:$PORT" --runs "$WORK/manual" \
  --curve-secret-key "$KEYS/coordinator.key" --allow-workers "$KEYS/worker.pub" > "$WORK/manual.out" 2> "$WORK/manual.log" &
COORD=$!
MANUAL_JOB=$(cd "$WORK/manual" && RNNSWEEP_WORKER_BIN="$BIN/worker" XDG_STATE_HOME="$WORK/manual/state" \
  sbatch --parsable --ntasks=2 "$OLDPWD/cluster/slurm-workers.sbatch" "tcp://$(hostname):$PORT" "$KEYS")
set +e; wait "$COORD"; rc=$?; set -e; COORD=""
[ $rc = 0 ] || fail "coordinator (manual job) exited $rc: $(tail -5 "$WORK/manual.log")"
for _ in $(seq 150); do [ -z "$(squeue -h -j "$MANUAL_JOB" 2>/dev/null)" ] && break; sleep 0.2; done
STATE=$(squeue -h -t all -j "$MANUAL_JOB" -o %T)
[ "$STATE" = COMPLETED ] || fail "hand-submitted job $MANUAL_JOB is $STATE after the sweep, not COMPLETED"
log "check: cluster/slurm-workers.sbatch completed the smoke sweep and its job $MANUAL_JOB ended by itself"
MANUAL_JOB=""

# 2. scancel mid-sweep: reported, resubmitted, the trial resumes from its checkpoint.
mkdir -p "$WORK/cancel"
cat > "$WORK/cancel.json" <<'JSON'
{ "name": "slurm-cancel", "dataset": "timemachine", "split": { "kind": "tail", "fraction": 0.1 },
  "training": { "objective": "every-step", "sequence_length": 32, "batch_size": 16, "epochs": 8,
                "learning_rate": 0.01, "optimizer": "adam", "clip_norm": 5, "seed": 7, "checkpoint_every": 1,
                "max_batches_per_epoch": 150 },
  "model": { "cell": "gru", "layers": 1, "fc_layers": 1 },
  "generate": { "length": 20, "prompts": ["The "], "mode": "stateful" },
  "grid": { "hidden_size": [64, 96] }, "schedule": "file-order" }
JSON
"$BIN/coordinator" run "$WORK/cancel.json" --workers 0 --slurm 2 --runs "$WORK/cancel" --lost-after 10 \
  > "$WORK/cancel.out" 2> "$WORK/cancel.log" &
COORD=$!
RUN=$WORK/cancel/runs/slurm-cancel
wait_for 120 "$WORK/cancel.log" "epoch 2/8" || fail "no trial reached epoch 2: $(tail -5 "$WORK/cancel.log")"
JOB1=$(json "$RUN/slurm-job.json" job_id)
scancel "$JOB1"
log "scancel $JOB1 mid-sweep"
wait_for 60 "$WORK/cancel.log" "SLURM job $JOB1 ended: CANCELLED" || fail "the cancelled job was not reported: $(tail -5 "$WORK/cancel.log")"
for _ in $(seq 300); do [ "$(grep -c "submitted SLURM job" "$WORK/cancel.log")" -ge 2 ] && break; sleep 0.2; done
[ "$(grep -c "submitted SLURM job" "$WORK/cancel.log")" -ge 2 ] || fail "no resubmission: $(tail -5 "$WORK/cancel.log")"
JOB2=$(grep -oE "submitted SLURM job [0-9]+" "$WORK/cancel.log" | tail -1 | grep -oE "[0-9]+$")
[ "$JOB2" != "$JOB1" ] || fail "resubmitted the same job id"
set +e; wait "$COORD"; rc=$?; set -e; COORD=""
[ $rc = 0 ] || fail "coordinator exited $rc: $(tail -5 "$WORK/cancel.log")"
grep -qE "attempt [0-9]+ → worker .* from epoch [0-9]+" "$WORK/cancel.log" || fail "no trial resumed from a checkpoint"
"$BIN/coordinator" status "$RUN" | grep -q "done 2" || fail "status: $("$BIN/coordinator" status "$RUN")"
[ -z "$(active_jobs)" ] || fail "jobs left in squeue: $(squeue -h)"
log "check: scancel of job $JOB1 reported, job $JOB2 submitted, trial resumed: $(grep -m1 -oE 'trial [^ ]+ \(#[0-9]+\) attempt [0-9]+ → worker [^ ]+ from epoch [0-9]+' "$WORK/cancel.log")"

# 3. SIGTERM (as Ctrl-C) mid-sweep: the coordinator cancels its job before it exits (130).
"$BIN/coordinator" run "$WORK/cancel.json" --workers 0 --slurm 2 --slurm-partition debug --slurm-time 10:00 \
  --slurm-arg=--comment=rnnsweep-ci --runs "$WORK/term" > "$WORK/term.out" 2> "$WORK/term.log" &
COORD=$!
wait_for 120 "$WORK/term.log" "epoch 1/8" || fail "no trial reached epoch 1: $(tail -5 "$WORK/term.log")"
JOB=$(json "$WORK/term/runs/slurm-cancel/slurm-job.json" job_id)
[ "$(squeue -h -j "$JOB" -o '%P|%l|%k|%D|%C')" = "debug|10:00|rnnsweep-ci|1|2" ] ||
  fail "job $JOB does not have the partition, time limit, comment and 2 CPUs asked for: $(squeue -h -j "$JOB" -o '%P|%l|%k|%D|%C')"
kill -TERM "$COORD"
set +e; wait "$COORD"; rc=$?; set -e; COORD=""
[ $rc = 130 ] || fail "coordinator stopped by SIGTERM exited $rc, not 130"
grep -q "cancelled SLURM job $JOB: the coordinator is stopping" "$WORK/term.log" || fail "no cancel reported: $(tail -5 "$WORK/term.log")"
[ -z "$(active_jobs)" ] || fail "jobs left in squeue after SIGTERM: $(squeue -h)"
[ "$(squeue -h -t all -j "$JOB" -o %T)" = CANCELLED ] || fail "job $JOB is not CANCELLED"
log "check: SIGTERM of the coordinator cancelled job $JOB (exit 130, nothing left in squeue)"

# 4. A coordinator killed with SIGKILL cannot cancel its job; run again on the same port, it re-uses it.
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("0.0.0.0",0)); print(s.getsockname()[1])')
"$BIN/coordinator" run "$WORK/cancel.json" --workers 0 --slurm 2 --listen "tcp://0.0.0.0:$PORT" --runs "$WORK/reuse" \
  > "$WORK/reuse-1.out" 2> "$WORK/reuse-1.log" &
COORD=$!
wait_for 120 "$WORK/reuse-1.log" "epoch 1/8" || fail "no trial reached epoch 1: $(tail -5 "$WORK/reuse-1.log")"
JOB=$(json "$WORK/reuse/runs/slurm-cancel/slurm-job.json" job_id)
kill -KILL "$COORD"; wait "$COORD" 2>/dev/null || true; COORD=""
[ -n "$(squeue -h -j "$JOB")" ] || fail "job $JOB ended with its coordinator's SIGKILL"
set +e
timeout 300 "$BIN/coordinator" run "$WORK/cancel.json" --workers 0 --slurm 2 --listen "tcp://0.0.0.0:$PORT" --runs "$WORK/reuse" \
  > "$WORK/reuse-2.out" 2> "$WORK/reuse-2.log"
rc=$?
set -e
[ $rc = 0 ] || fail "the re-run exited $rc: $(tail -5 "$WORK/reuse-2.log")"
grep -q "re-using SLURM job $JOB of the previous run" "$WORK/reuse-2.log" || fail "job $JOB was not re-used: $(grep SLURM "$WORK/reuse-2.log")"
! grep -q "submitted SLURM job" "$WORK/reuse-2.log" || fail "the re-run submitted another job"
grep -q "re-adopted from worker" "$WORK/reuse-2.log" || fail "the job's workers did not re-adopt their trials"
[ -z "$(active_jobs)" ] || fail "jobs left in squeue: $(squeue -h)"
log "check: the re-run re-used job $JOB of a SIGKILLed coordinator; its workers re-adopted their trials and finished the sweep"

# 5. A job SLURM refuses stops the run with SLURM's reason (exit 2).
set +e
"$BIN/coordinator" run sweeps/smoke.json --workers 0 --slurm 2 --slurm-partition no-such-partition --runs "$WORK/refused" \
  > /dev/null 2> "$WORK/refused.log"
rc=$?
set -e
[ $rc = 2 ] || fail "a refused job exited $rc, not 2"
grep -q "sbatch refused the worker job (exit 1): .*[Ii]nvalid partition" "$WORK/refused.log" || fail "no SLURM reason: $(cat "$WORK/refused.log")"
log "check: a job SLURM refuses stops the run with its reason: $(grep -o 'sbatch refused.*' "$WORK/refused.log")"

if [ "${MEASURE:-0}" = 1 ]; then
  T0=$(date +%s.%N)
  "$BIN/coordinator" run sweeps/smoke.json --workers 2 --runs "$WORK/local" > /dev/null 2> "$WORK/local.log"
  T1=$(date +%s.%N)
  log "measure: local workers (--workers 2) wall time $(python3 -c "print(round($T1-$T0,2))") s"
fi
log "PASSED"
