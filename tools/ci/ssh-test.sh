#!/bin/bash
# cluster/launch-ssh.sh for real: sshd on a loopback port (throw-away host and user keys, started and
# stopped here by pid file), a CURVE coordinator, and the launcher against localhost:
#   1. the smoke sweep completes and the launcher exits by itself (its workers exit at the end);
#   2. Ctrl-C (SIGINT) of the launcher mid-sweep ends the remote workers.
#   sudo RNNSWEEP_DATA_DIR=../shared/data tools/ci/ssh-test.sh [BIN_DIR]
# Exit 0 = passed, 3 = openssh-server cannot be installed here (skipped), anything else = failed.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=$(cd "${1:-.build/debug}" && pwd)
WORK=$(mktemp -d /tmp/rnnsweep-ssh-test.XXXXXX)
PIDS=()
log() { echo "[ssh-test] $*"; }
fail() { echo "[ssh-test] FAILED: $*" >&2; exit 1; }
stop_pid() { kill -TERM "$1" 2>/dev/null || return 0; for _ in $(seq 100); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done; kill -KILL "$1" 2>/dev/null || true; }
cleanup() {
  for p in "${PIDS[@]}"; do stop_pid "$p"; done
  [ -s "$WORK/sshd.pid" ] && stop_pid "$(cat "$WORK/sshd.pid")"
  log "logs kept in $WORK"
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || fail "run as root (sshd on a loopback port)"
[ -x "$BIN/coordinator" ] && [ -x "$BIN/worker" ] || fail "build first: swift build (looked in $BIN)"
if ! [ -x /usr/sbin/sshd ] || ! command -v ssh >/dev/null; then
  { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openssh-server openssh-client >/dev/null 2>&1 ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openssh-server openssh-client >/dev/null; }; } ||
    { log "SKIPPED: openssh-server cannot be installed here"; exit 3; }
fi

# sshd on a free loopback port, with its own keys and config; no password logins.
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
ssh-keygen -q -t ed25519 -N '' -f "$WORK/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$WORK/user_key"
cp "$WORK/user_key.pub" "$WORK/authorized_keys"
mkdir -p /run/sshd "$WORK/state" "$WORK/cache"
cat > "$WORK/sshd_config" <<CONF
Port $PORT
ListenAddress 127.0.0.1
HostKey $WORK/host_key
PidFile $WORK/sshd.pid
AuthorizedKeysFile $WORK/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
AcceptEnv XDG_STATE_HOME XDG_CACHE_HOME
CONF
/usr/sbin/sshd -f "$WORK/sshd_config" -E "$WORK/sshd.log"
for _ in $(seq 50); do [ -s "$WORK/sshd.pid" ] && break; sleep 0.1; done
[ -s "$WORK/sshd.pid" ] || fail "sshd did not start: $(cat "$WORK/sshd.log")"
cat > "$WORK/ssh_config" <<CONF
Host localhost
  Port $PORT
  User root
  IdentityFile $WORK/user_key
  IdentitiesOnly yes
  UserKnownHostsFile $WORK/known_hosts
  StrictHostKeyChecking accept-new
  SendEnv XDG_STATE_HOME XDG_CACHE_HOME
CONF
export XDG_STATE_HOME=$WORK/state XDG_CACHE_HOME=$WORK/cache
ssh -F "$WORK/ssh_config" -o BatchMode=yes localhost true || fail "ssh to localhost:$PORT failed: $(tail -5 "$WORK/sshd.log")"
log "sshd on 127.0.0.1:$PORT (pid $(cat "$WORK/sshd.pid"))"

KEYS=$WORK/keys
"$BIN/coordinator" keygen "$KEYS/coordinator" >/dev/null
"$BIN/coordinator" keygen "$KEYS/worker" >/dev/null
coordinator() {  # coordinator NAME SWEEP: starts it in the background, sets COORD and ENDPOINT
  "$BIN/coordinator" run "$2" --workers 0 --listen 'tcp://127.0.0.1:*' --runs "$WORK/$1" \
    --curve-secret-key "$KEYS/coordinator.key" --allow-workers "$KEYS/worker.pub" > "$WORK/$1.out" 2> "$WORK/$1.log" &
  COORD=$!; PIDS+=($COORD)
  for _ in $(seq 100); do grep -q "coordinator listening on" "$WORK/$1.log" && break; sleep 0.2; done
  ENDPOINT=$(grep -m1 -oE "coordinator listening on [^;]+" "$WORK/$1.log" | cut -d' ' -f4)
  [ -n "$ENDPOINT" ] || fail "$1: coordinator did not start: $(tail -5 "$WORK/$1.log")"
}
wait_pid() {  # wait_pid PID SECONDS: 0 if it exited in time
  for _ in $(seq $(($2 * 5))); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.2; done; return 1
}

# 1. A whole sweep through the launcher; it ends by itself.
# The smoke grid with longer trials: with 3 epochs one worker can finish all four before the
# other's ssh session has started, and that one would then give up (exit 7) instead of joining.
sed 's/"epochs": 3,/"epochs": 60,/' sweeps/smoke.json > "$WORK/smoke.json"
grep -q '"epochs": 60,' "$WORK/smoke.json" || fail "could not lengthen the smoke sweep"
coordinator smoke "$WORK/smoke.json"
cluster/launch-ssh.sh -e "$ENDPOINT" -k "$KEYS" -n 2 -b "$BIN/worker" -F "$WORK/ssh_config" localhost > "$WORK/launcher-smoke.log" 2>&1 &
LAUNCHER=$!; PIDS+=($LAUNCHER)
set +e; wait "$COORD"; rc=$?; set -e
[ $rc = 0 ] || fail "coordinator exited $rc: $(tail -5 "$WORK/smoke.log")"
wait_pid "$LAUNCHER" 60 || fail "the launcher did not end after the sweep: $(tail -5 "$WORK/launcher-smoke.log")"
set +e; wait "$LAUNCHER"; rc=$?; set -e
[ $rc = 0 ] || fail "launcher exited $rc: $(tail -5 "$WORK/launcher-smoke.log")"
[ "$(grep -c "worker .* joined from" "$WORK/smoke.log")" -ge 2 ] || fail "fewer than 2 workers joined"
grep -q "the sweep is complete; exiting" "$WORK/launcher-smoke.log" || fail "the workers did not exit on the sweep's end"
log "check: smoke sweep complete through launch-ssh.sh; the workers and the launcher exited by themselves"

# 2. Ctrl-C of the launcher ends the remote workers.
cat > "$WORK/long.json" <<'JSON'
{ "name": "ssh-long", "dataset": "timemachine", "split": { "kind": "tail", "fraction": 0.1 },
  "training": { "objective": "every-step", "sequence_length": 32, "batch_size": 16, "epochs": 50,
                "learning_rate": 0.01, "optimizer": "adam", "clip_norm": 5, "seed": 7, "checkpoint_every": 1,
                "max_batches_per_epoch": 40 },
  "model": { "cell": "gru", "layers": 1, "fc_layers": 1 },
  "generate": { "length": 20, "prompts": ["The "], "mode": "stateful" },
  "grid": { "hidden_size": [32, 48] }, "schedule": "file-order" }
JSON
coordinator long "$WORK/long.json"
set -m   # job control: the background launcher receives SIGINT like a foreground one on Ctrl-C
cluster/launch-ssh.sh -e "$ENDPOINT" -k "$KEYS" -n 2 -b "$BIN/worker" -F "$WORK/ssh_config" localhost > "$WORK/launcher-long.log" 2>&1 &
LAUNCHER=$!; PIDS+=($LAUNCHER)
set +m
for _ in $(seq 300); do [ "$(grep -c "epoch 1/50" "$WORK/long.log")" -ge 2 ] && break; sleep 0.2; done
[ "$(grep -c "epoch 1/50" "$WORK/long.log")" -ge 2 ] || fail "the workers did not train: $(tail -5 "$WORK/long.log")"
WORKER_PIDS=$(ps -eo pid=,args= | awk -v b="$BIN/worker" '$2 == b && /--exit-when-done/ {print $1}')
[ "$(echo "$WORKER_PIDS" | wc -w)" = 2 ] || fail "expected 2 remote worker processes, found: $WORKER_PIDS"
kill -INT "$LAUNCHER"
wait_pid "$LAUNCHER" 30 || fail "the launcher did not stop on SIGINT"
for p in $WORKER_PIDS; do wait_pid "$p" 30 || fail "remote worker $p still runs after Ctrl-C of the launcher"; done
# They heard SIGHUP from their ended sessions and said goodbye: their trials are requeued at once.
for _ in $(seq 50); do [ "$(grep -c "left: shutting_down" "$WORK/long.log")" -ge 2 ] && break; sleep 0.2; done
[ "$(grep -c "left: shutting_down" "$WORK/long.log")" -ge 2 ] || fail "the workers did not say BYE: $(tail -5 "$WORK/long.log")"
log "check: Ctrl-C of the launcher ended both remote workers ($(echo $WORKER_PIDS)), which said BYE"
stop_pid "$COORD"
log "PASSED"
