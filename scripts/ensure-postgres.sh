#!/usr/bin/env bash
# Makes sure PostgreSQL's server binaries are on the machine for the storage tests, which start a
# throw-away cluster of their own (apps/server/test/support/postgres.ts): installs Debian's
# `postgresql` with apt when no /usr/lib/postgresql/*/bin/initdb is there. Starts nothing: the
# package's own cluster service is not used (and is not started by apt in a container).
# Exits non-zero when PostgreSQL is still missing afterwards.
set -uo pipefail

have_postgres() { compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; }

if ! have_postgres; then
  echo "installing PostgreSQL for the storage tests"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql; } >/dev/null 2>&1 \
    || echo "could not install postgresql"
fi

if ! have_postgres; then
  echo "PostgreSQL is missing: the storage tests need initdb and pg_ctl (apt-get install postgresql)" >&2
  exit 1
fi
