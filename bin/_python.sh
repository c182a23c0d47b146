# Shared by the scripts in bin/ and bench/ (sourced): a virtualenv in .venv with
# Masthead installed from this checkout, and what else a script needs.

die() { echo "$(basename "$0"): $*" >&2; exit 1; }

sudo_if_needed() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

find_python() {
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  return 1
}

# ensure_venv EXTRAS: create .venv once, then (re)install this checkout with EXTRAS.
ensure_venv() {
  local python
  if [ ! -x .venv/bin/python ]; then
    python=$(find_python) || die "Masthead needs Python 3.11 or newer (python3 --version)."
    "$python" -m venv .venv || die "could not create .venv (on Debian: apt-get install python3-venv)"
  fi
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".$1"
}

# ensure_nginx: Debian's nginx, which the front tests run in front of `masthead serve`
# with the site file `masthead front-config` writes (masthead/tests/test_front_config.py).
ensure_nginx() {
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] && return 0
  echo "$(basename "$0"): installing Debian's nginx for the front tests" >&2
  sudo_if_needed apt-get update -qq
  DEBIAN_FRONTEND=noninteractive sudo_if_needed apt-get install -y -qq --no-install-recommends nginx >/dev/null
}

# ensure_chromium: Debian's Chromium, which the browser tests drive.
ensure_chromium() {
  [ -x /usr/bin/chromium ] && return 0
  echo "$(basename "$0"): installing Debian's chromium for the browser tests" >&2
  sudo_if_needed apt-get update -qq
  DEBIAN_FRONTEND=noninteractive sudo_if_needed apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
}
