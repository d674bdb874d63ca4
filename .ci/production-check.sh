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
cleanup() {
  if [ -n "$npm_pid" ]; then kill -TERM "$npm_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

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
url=""
for _ in $(seq 1 150); do
  url="$(grep -o 'Helpr is listening on http://127\.0\.0\.1:[0-9]*' "$work/helpr.log" | head -n 1 | sed 's/.* on //' || true)"
  [ -n "$url" ] && break
  if ! kill -0 "$npm_pid" 2>/dev/null; then cat "$work/helpr.log" >&2; echo "production check: npm start exited" >&2; exit 1; fi
  sleep 0.2
done
if [ -z "$url" ]; then cat "$work/helpr.log" >&2; echo "production check: Helpr did not start" >&2; exit 1; fi
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
