#!/usr/bin/env bash
# The main job on embedded defaults, from a fresh clone: set-up, then `pnpm demo` (no key, no network).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export TURBO_TELEMETRY_DISABLED=1 REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_NOTIFICATIONS=true
exec pnpm demo
