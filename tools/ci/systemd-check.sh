#!/bin/bash
# cluster/rnnsweep-worker@.service: consistent with the worker's options and defaults, and clean
# under `systemd-analyze verify` (skipped, with the reason, where systemd-analyze is missing).
#   tools/ci/systemd-check.sh [BIN_DIR]
# Exit 0 = passed, 3 = systemd-analyze unavailable (the consistency checks still ran), else failed.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=$(cd "${1:-.build/debug}" && pwd)
UNIT=cluster/rnnsweep-worker@.service
log() { echo "[systemd-check] $*"; }
fail() { echo "[systemd-check] FAILED: $*" >&2; exit 1; }
value() { sed -n "s/^$1=//p" "$UNIT"; }

# The unit's command line, continuation lines joined.
EXEC=$(sed -n '/^ExecStart=/,/[^\\]$/p' "$UNIT" | tr -d '\\\n' | sed 's/^ExecStart=//; s/  */ /g')
HELP=$("$BIN/worker" run --help)
for option in $(echo "$EXEC" | grep -oE -- '--[a-z-]+'); do
  echo "$HELP" | grep -q -- "$option" || fail "ExecStart uses $option, which \`worker run\` does not have"
done
echo "$EXEC" | grep -q -- "--exit-when-done" && fail "a systemd worker is a daemon: it must not use --exit-when-done"
# State and cache live in the folders systemd creates for the dynamic user.
STATE=$(value StateDirectory); CACHE=$(value CacheDirectory)
echo "$EXEC" | grep -qE -- "--state-dir /var/lib/$STATE/" || fail "--state-dir is not under /var/lib/$STATE (StateDirectory)"
grep -qE "^Environment=RNNSWEEP_CACHE_DIR=/var/cache/$CACHE(/|$)" "$UNIT" || fail "RNNSWEEP_CACHE_DIR is not under /var/cache/$CACHE (CacheDirectory)"
[ "$(value DynamicUser)" = yes ] || fail "DynamicUser=yes expected"
# Key files are root's (0600); the service reads systemd's private copies (LoadCredential, %d).
for key in $(echo "$EXEC" | grep -oE -- '--(server-key|key) [^ ]+' | cut -d' ' -f2); do
  case $key in %d/*) ;; *) fail "$key is not a credential (%d/...): a dynamic user cannot read root's key files" ;; esac
  grep -q "^LoadCredential=${key#%d/}:/etc/rnnsweep/" "$UNIT" || fail "no LoadCredential for ${key#%d/}"
done
log "check: options exist, state and cache under the unit's own directories, keys passed as credentials"

if ! command -v systemd-analyze >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends systemd >/dev/null 2>&1 || true
fi
command -v systemd-analyze >/dev/null && [ -d /usr/lib/systemd/system ] || { log "SKIPPED verify: systemd-analyze cannot be installed here"; exit 3; }
ROOT=$(mktemp -d /tmp/rnnsweep-systemd.XXXXXX)
trap 'rm -rf "$ROOT"' EXIT
mkdir -p "$ROOT/etc/systemd/system" "$ROOT/usr/local/bin" "$ROOT/etc/rnnsweep" "$ROOT/usr/lib/systemd"
cp -a /usr/lib/systemd/system "$ROOT/usr/lib/systemd/"
cp "$UNIT" "$ROOT/etc/systemd/system/"
printf '#!/bin/sh\n' > "$ROOT/usr/local/bin/worker"; chmod 755 "$ROOT/usr/local/bin/worker"
echo 'RNNSWEEP_COORDINATOR=tcp://head.example:5555' > "$ROOT/etc/rnnsweep/worker.env"
# Any message (an unknown key is only a warning) fails the check.
OUT=$(systemd-analyze --root="$ROOT" verify rnnsweep-worker@0.service 2>&1) || fail "systemd-analyze verify: $OUT"
[ -z "$OUT" ] || fail "systemd-analyze verify: $OUT"
log "check: systemd-analyze verify rnnsweep-worker@0.service is clean"
log "PASSED"
