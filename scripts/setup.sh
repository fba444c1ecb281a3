#!/usr/bin/env bash
# Installs what the repo needs on a fresh machine: the pinned pnpm and the workspace's packages.
set -euo pipefail
cd "$(dirname "$0")/.."

export TURBO_TELEMETRY_DISABLED=1 REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_NOTIFICATIONS=true
# better-sqlite3 compiles against Node's own headers (node-gyp cannot download them here)
export npm_config_nodedir="${npm_config_nodedir:-/usr}"

pnpm_version=$(node -p "require('./package.json').packageManager.split('@')[1]")
if [ "$(pnpm --version 2>/dev/null)" != "$pnpm_version" ]; then
  echo "installing pnpm $pnpm_version"
  npm install --global --silent "pnpm@$pnpm_version"
fi

pnpm install --frozen-lockfile
