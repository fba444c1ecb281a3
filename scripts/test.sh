#!/usr/bin/env bash
# The whole check, as CI runs it: set-up, spec lint, generated-types drift, the contract's breaking-change gate,
# Biome (format and lint), knip (unused files, exports and dependencies), typecheck, every test.
# Prints a final "N passed, N failed" line (tests plus gates) and exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh || { echo "set-up failed"; echo "0 passed, 1 failed"; exit 1; }
export TURBO_TELEMETRY_DISABLED=1 REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_NOTIFICATIONS=true
export npm_config_nodedir="${npm_config_nodedir:-/usr}"

if ! command -v "${CHROMIUM_PATH:-chromium}" >/dev/null 2>&1; then
  echo "installing Chromium for the docs test"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >/dev/null 2>&1 \
    || echo "could not install chromium"
fi
bash scripts/ensure-postgres.sh || echo "could not install postgresql"

results=.ci-results
rm -rf "$results" && mkdir -p "$results"
gate() { # name, command...
  local name=$1; shift
  echo "── $name"
  if "$@"; then echo "ok" > "$results/gate-$name"; else echo "failed" > "$results/gate-$name"; fi
}

rm -rf ./*/.vitest ./*/*/.vitest
gate lint-spec pnpm lint:spec
gate types-drift bash -c 'pnpm turbo run generate --force --output-logs=errors-only && git diff --exit-code -- packages/api-types'
gate contract pnpm contract:check
gate lint pnpm lint
gate knip pnpm knip
gate typecheck pnpm turbo run typecheck --output-logs=errors-only
gate tests pnpm turbo run test:vitest --continue

node scripts/summarize-results.mjs "$results"
