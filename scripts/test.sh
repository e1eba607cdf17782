#!/usr/bin/env bash
# The whole test suite: services check (when configured), lint, migrations check, pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}

if [ -n "${DATABASE_URL:-}" ] || [ -n "${REDIS_URL:-}" ]; then
  "$VENV/bin/python" scripts/check_services.py
fi
echo "== ruff"
"$VENV/bin/ruff" check .
echo "== migrations"
"$VENV/bin/python" manage.py makemigrations --check --dry-run
echo "== pytest"
"$VENV/bin/pytest" "$@"
