#!/usr/bin/env bash
# Installs what the project needs on a fresh Debian/Ubuntu machine with Python 3.11:
# system packages (gettext for translations, Chromium and CJK fonts for the browser
# tests in tests/e2e and the PDF summaries, poppler-utils to read PDFs back), a
# virtual environment with the pinned Python packages, and the compiled translation
# catalogues.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
PYTHON=${PYTHON:-python3}

need_apt=()
command -v msgfmt >/dev/null 2>&1 || need_apt+=(gettext)
# The browser tests drive Debian's Chromium at this path, not a browser Playwright downloads.
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || need_apt+=(fonts-noto-cjk)
# The PDF tests read the monthly summaries back with pdffonts and pdftotext.
command -v pdftotext >/dev/null 2>&1 || need_apt+=(poppler-utils)
# The backup test (tests/test_backup.py) runs pg_dump and pg_restore; Debian 12's client is 15, as the server.
command -v pg_restore >/dev/null 2>&1 || need_apt+=(postgresql-client)
"$PYTHON" -c "import venv, ensurepip" >/dev/null 2>&1 || need_apt+=(python3-venv)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "Installing system packages: ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}"
fi

if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
# Reinstall only when the requirement files changed since the last install.
stamp="$VENV/.requirements.sha"
digest=$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$digest" ]; then
  "$VENV/bin/pip" install --quiet --upgrade pip
  "$VENV/bin/pip" install --quiet -r requirements-dev.txt
  echo "$digest" > "$stamp"
fi

mkdir -p var/static
"$VENV/bin/python" manage.py compilemessages --ignore=.venv --ignore=var -v 0
