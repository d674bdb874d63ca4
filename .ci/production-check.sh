#!/usr/bin/env bash
# The production path on a clean clone of this checkout (README, "Production install"):
# `npm run build:production` (npm ci with the dev dependencies, from the local npm cache; build; prune
# them), then `npm start` on a free port with a temporary DATA_DIR until /healthz answers 200, then
# SIGTERM to npm, which must stop Helpr too. The install must print no npm warning (EBADENGINE,
# deprecations): a newcomer's first install is clean. Everything lives in one temp dir, removed at exit.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/helpr-production-XXXXXX")"
npm_pid=""
runtime_pid=""
cleanup() {
  if [ -n "$npm_pid" ]; then kill -TERM "$npm_pid" 2>/dev/null || true; fi
  if [ -n "$runtime_pid" ]; then kill -KILL "$runtime_pid" 2>/dev/null || true; fi
  chmod -R u+w "$work" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# The address Helpr says it listens on, from its log ($1), while its process ($2, named $3) runs; the
# log and a failure line otherwise (30 s at most).
listening_url() {
  local found=""
  for _ in $(seq 1 150); do
    found="$(grep -o 'Helpr is listening on http://127\.0\.0\.1:[0-9]*' "$1" | head -n 1 | sed 's/.* on //' || true)"
    if [ -n "$found" ]; then echo "$found"; return 0; fi
    if ! kill -0 "$2" 2>/dev/null; then cat "$1" >&2; echo "production check: $3 exited before Helpr listened" >&2; return 1; fi
    sleep 0.2
  done
  cat "$1" >&2
  echo "production check: $3 did not start Helpr within 30 s" >&2
  return 1
}

git clone --quiet --no-hardlinks "$repo" "$work/helpr"
cd "$work/helpr"

node scripts/build-production.mjs --prefer-offline 2>&1 | tee "$work/install.log"
if grep -i 'npm warn' "$work/install.log"; then
  echo "production check: the install printed the npm warnings above" >&2
  exit 1
fi
if [ -e node_modules/typescript ] || [ ! -f dist/src/main.js ]; then
  echo "production check: expected dist/ built and the dev dependencies pruned" >&2
  exit 1
fi
# What `npm ci --omit=dev` runs after installing: it stopped at "tsc: not found" before.
npm run prepare

mkdir "$work/data"
PORT=0 HOST=127.0.0.1 DATA_DIR="$work/data" npm start >"$work/helpr.log" 2>&1 &
npm_pid=$!
url="$(listening_url "$work/helpr.log" "$npm_pid" "npm start")"
helpr_pid="$(grep -o '"pid":[0-9]*' "$work/helpr.log" | head -n 1 | cut -d: -f2)"
curl -fsS "$url/healthz"
echo

# Stop npm as a service manager would (SIGTERM to npm only): Helpr must stop with it.
kill -TERM "$npm_pid"
wait "$npm_pid" || true
npm_pid=""
for _ in $(seq 1 50); do kill -0 "$helpr_pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$helpr_pid" 2>/dev/null; then
  kill -TERM "$helpr_pid"
  echo "production check: Helpr (pid $helpr_pid) kept running after npm was stopped" >&2
  exit 1
fi
grep -q 'shutting down' "$work/helpr.log"
echo "production check: clean install, built, pruned, answered /healthz, stopped with npm"

# The image's way (Dockerfile): only what runs, copied by the build script into a runtime directory,
# read-only, started by an unprivileged user that can write only DATA_DIR; stopped with a request in
# flight, which must be answered, within 10 s.
if [ "$(id -u)" != 0 ]; then
  echo "production check: not root, so the unprivileged read-only start is skipped (CI runs it as root)"
  exit 0
fi
runtime="$work/runtime"
node scripts/build-production.mjs --prefer-offline "--runtime-dir=$runtime" >"$work/runtime-build.log" 2>&1 || { cat "$work/runtime-build.log" >&2; exit 1; }
chmod 755 "$work"
chmod -R a-w "$runtime"
mkdir "$work/data-nobody"
chown nobody "$work/data-nobody"
(cd "$runtime" && exec setpriv --reuid=nobody --regid=nogroup --clear-groups env HOME=/nonexistent PORT=0 HOST=127.0.0.1 DATA_DIR="$work/data-nobody" node bin/helpr.js serve) >"$work/runtime.log" 2>&1 &
runtime_pid=$!
url="$(listening_url "$work/runtime.log" "$runtime_pid" "the runtime directory")"
curl -fsS "$url/healthz"
echo
[ "$(stat -c %U "$work/data-nobody/secret.key")" = nobody ] || { echo "production check: DATA_DIR not written by the unprivileged user" >&2; exit 1; }
if [ -n "$(find "$runtime" -newer "$work/runtime-build.log" -print -quit)" ]; then
  echo "production check: something was written into the read-only code directory" >&2
  exit 1
fi
# SIGTERM goes to the launcher (the container's first process), which passes it on to Helpr.
node "$repo/.ci/stop-with-request-in-flight.mjs" "$url" "$runtime_pid"
wait "$runtime_pid" || true
runtime_pid=""
grep -q 'shutting down' "$work/runtime.log"
echo "production check: the runtime directory ran read-only as nobody, answered /healthz and a request in flight at SIGTERM, and stopped"
