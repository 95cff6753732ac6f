#!/bin/bash
# Multi-host drill on one machine: a coordinator and three "hosts" in network namespaces joined by a
# private bridge (10.77.0.0/24, reachable only inside the namespaces this script creates), CURVE keys,
# a worker with a key that is not on the allow-list, a network partition of one worker, and the same
# trial trained on two "hosts" (bit-identical results).
#   sudo RNNSWEEP_DATA_DIR=../shared/data cluster/netns-drill.sh [SWEEP|-] [BIN_DIR]
# SWEEP "-" (the default) writes a drill sweep: 4 small GRUs on the Time Machine text, ~10 s each.
# Needs root (ip netns). Cleans up its namespaces and processes on exit. Exit 0 = every check passed.
set -euo pipefail
SWEEP=${1:--}
BIN=${2:-.build/debug}
LOST_AFTER=${LOST_AFTER:-6}
WORK=$(mktemp -d /tmp/rnnsweep-drill.XXXXXX)
NS=(rns-hub rns-head rns-w1 rns-w2 rns-bad)
PIDS=()
log() { echo "[drill] $*"; }
fail() { echo "[drill] FAILED: $*" >&2; exit 1; }

cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for _ in $(seq 50); do
    alive=0; for p in "${PIDS[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break; sleep 0.1
  done
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for n in "${NS[@]}"; do ip netns del "$n" 2>/dev/null || true; done
  log "logs and run folder kept in $WORK"
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || fail "run as root (ip netns needs it)"
[ -x "$BIN/coordinator" ] && [ -x "$BIN/worker" ] || fail "build first: swift build (looked in $BIN)"
BIN=$(cd "$BIN" && pwd)
if [ "$SWEEP" = "-" ]; then
  SWEEP=$WORK/drill.json
  cat > "$SWEEP" <<'JSON'
{ "name": "drill", "dataset": "timemachine", "split": { "kind": "tail", "fraction": 0.1 },
  "training": { "objective": "every-step", "sequence_length": 32, "batch_size": 16, "epochs": 10,
                "learning_rate": 0.01, "optimizer": "adam", "clip_norm": 5, "seed": 7, "checkpoint_every": 1,
                "max_batches_per_epoch": 60 },
  "model": { "cell": "gru", "layers": 1, "fc_layers": 1 },
  "generate": { "length": 50, "prompts": ["The "], "mode": "stateful" },
  "grid": { "hidden_size": [64, 96, 128, 160] }, "schedule": "file-order" }
JSON
fi

# 1. Network: a bridge in rns-hub, one veth pair per host namespace.
for n in "${NS[@]}"; do ip netns del "$n" 2>/dev/null || true; ip netns add "$n"; ip -n "$n" link set lo up; done
ip -n rns-hub link add br0 type bridge
ip -n rns-hub link set br0 up
i=1
for n in rns-head rns-w1 rns-w2 rns-bad; do
  ip link add "v$i" netns rns-hub type veth peer name eth0 netns "$n"
  ip -n rns-hub link set "v$i" master br0 up
  ip -n "$n" addr add "10.77.0.$i/24" dev eth0
  ip -n "$n" link set eth0 up
  i=$((i + 1))
done
ip -n rns-w1 -br addr show eth0 | grep -q 10.77.0.2 || fail "namespace addresses missing"
log "network up: head 10.77.0.1, w1 .2, w2 .3, bad .4"

# 2. Keys: the coordinator's pair, one per worker; only w1 and w2 are allowed.
K=$WORK/keys
for who in coordinator w1 w2 bad; do "$BIN/coordinator" keygen "$K/$who" >/dev/null; done
cat "$K/w1.pub" "$K/w2.pub" > "$K/allowed"

# 3. Without keys, listening on a non-loopback address is refused.
if ip netns exec rns-head "$BIN/coordinator" run "$SWEEP" --workers 0 --listen tcp://10.77.0.1:5555 \
     --runs "$WORK/nokeys" 2>"$WORK/nokeys.err"; then fail "coordinator listened on 10.77.0.1 without CURVE"; fi
grep -q "requires CURVE" "$WORK/nokeys.err" || fail "no CURVE message: $(cat "$WORK/nokeys.err")"
log "check: plain TCP on a non-loopback address is refused"

# 4. Coordinator in rns-head.
ip netns exec rns-head "$BIN/coordinator" run "$SWEEP" --workers 0 --listen tcp://10.77.0.1:5555 \
  --curve-secret-key "$K/coordinator.key" --allow-workers "$K/allowed" --runs "$WORK" --fresh \
  --lost-after "$LOST_AFTER" > "$WORK/coordinator.log" 2>&1 &
COORD=$!; PIDS+=($COORD)
sleep 1

worker() {  # worker NAMESPACE KEYNAME
  mkdir -p "$WORK/$1"
  ip netns exec "$1" env HOME="$WORK/$1" RNNSWEEP_DATA_DIR= RNNSWEEP_CACHE_DIR="$WORK/$1/cache" \
    "$BIN/worker" run --connect tcp://10.77.0.1:5555 --server-key "$K/coordinator.pub" --key "$K/$2.key" \
    --state-dir "$WORK/$1/state" > "$WORK/$1.log" 2>&1 &
  PIDS+=($!)
}
worker rns-bad bad
worker rns-w1 w1
W1=${PIDS[-1]}
worker rns-w2 w2

# 5. The bad key is refused and logged.
for _ in $(seq 50); do grep -q "not on the allow-list" "$WORK/coordinator.log" && break; sleep 0.2; done
grep -q "not on the allow-list" "$WORK/coordinator.log" || fail "the wrong key was not refused"
log "check: a worker with a key not on the allow-list is refused and logged"

# 6. Partition w1 for longer than the grace period while it trains, then heal it.
for _ in $(seq 150); do grep -q "epoch 2/.*(vm-$W1-\|epoch 2/.*-$W1-" "$WORK/coordinator.log" && break; sleep 0.2; done
grep -q -- "-$W1-" "$WORK/coordinator.log" || fail "w1 (pid $W1) never trained"
ip -n rns-w1 link set eth0 down
log "partitioned w1 (pid $W1) mid-trial for $((LOST_AFTER + 4)) s"
sleep $((LOST_AFTER + 4))
grep -q "worker [^ ]*-$W1-[^ ]* lost" "$WORK/coordinator.log" || fail "the partitioned worker was not declared lost"
grep -q "requeued: worker [^ ]*-$W1-" "$WORK/coordinator.log" || fail "the partitioned worker's trial was not requeued"
log "check: the partitioned worker was declared lost and its trial requeued"
ip -n rns-w1 link set eth0 up
log "healed w1"

# 7. The sweep completes; the dataset reached the workers over the wire (they had no copy).
wait $COORD || fail "coordinator exited with $?: $(tail -5 "$WORK/coordinator.log")"
NAME=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['name'])" "$SWEEP")
CSV="$WORK/runs/$NAME/results.csv"
ROWS=$(($(wc -l < "$CSV") - 1))
TRIALS=$("$BIN/coordinator" status "$WORK/runs/$NAME" | head -1)
log "status: $TRIALS"
echo "$TRIALS" | grep -q "queued 0" || fail "trials left queued"
ls "$WORK/rns-w1/cache" "$WORK/rns-w2/cache" >/dev/null 2>&1 || fail "workers did not receive the dataset"
grep -q "from epoch" "$WORK/coordinator.log" && log "check: the requeued trial resumed from its checkpoint: $(grep -m1 'from epoch' "$WORK/coordinator.log")"
grep -q "finished after attempt" "$WORK/coordinator.log" && log "check: the healed worker's late result was acknowledged and ignored (first result wins)"

# 8. The same trial trained on two "hosts" gives bit-identical results, each from the dataset it was shipped.
python3 - "$WORK/runs/$NAME/sweep.db" "$WORK/trial.json" <<'PY'
import json, sqlite3, sys
config = json.loads(sqlite3.connect(sys.argv[1]).execute("SELECT config_json FROM trials ORDER BY number LIMIT 1").fetchone()[0])
config["training"]["epochs"] = 2
config["training"]["max_batches_per_epoch"] = 20
json.dump(config, open(sys.argv[2], "w"))
PY
for n in rns-w1 rns-w2; do
  ip netns exec "$n" env HOME="$WORK/$n" RNNSWEEP_DATA_DIR= RNNSWEEP_CACHE_DIR="$WORK/$n/cache" \
    "$BIN/worker" train "$WORK/trial.json" --output "$WORK/$n/train" > "$WORK/$n.train" 2>&1 || fail "worker train on $n: $(tail -3 "$WORK/$n.train")"
done
python3 - "$WORK/rns-w1.train" "$WORK/rns-w2.train" <<'PY' || fail "the same trial differs between the two hosts"
import json, sys
def result(path):  # the result JSON (the last line that parses), without timings
    for line in reversed(open(path).read().splitlines()):
        try: r = json.loads(line)
        except ValueError: continue
        if isinstance(r, dict) and "history" in r: break
    else: sys.exit(f"{path}: no result JSON")
    timing = lambda k: "seconds" in k or k in ("ms_per_char", "tokens_per_second")
    strip = lambda d: {k: v for k, v in d.items() if not timing(k)}
    r = strip(r); r["history"] = [strip(e) for e in r["history"]]
    return r
a, b = result(sys.argv[1]), result(sys.argv[2])
if a != b: sys.exit(f"w1: {a}\nw2: {b}")
print(f"[drill] check: bit-identical results on w1 and w2: val_loss {a['val_loss']!r}, {len(a['history'])} epochs, sample {a['samples'][0][:30]!r}")
PY
log "PASSED: $ROWS result rows in $CSV"
