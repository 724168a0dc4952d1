#!/usr/bin/env bash
# Installs what mqlcal needs to build and test, and only what is missing (Debian 12).
#   scripts/install-deps.sh          build and test dependencies
#   scripts/install-deps.sh --bench  also what the benchmark script uses (the peers:
#                                    scikit-learn and R)
#   scripts/install-deps.sh --browser  also headless Chromium, which the report test uses to
#                                    look at the report as a reader would
#   scripts/install-deps.sh --export also PostgreSQL, xmllint and python3-jsonschema, which the
#                                    export test runs the SQL, the PMML and the schema with
#   scripts/install-deps.sh --fuzz   also clang with its libFuzzer and sanitizer runtimes and
#                                    llvm-symbolizer, which `make fuzz` builds and runs with
#   scripts/install-deps.sh --valgrind  also valgrind, which `make valgrind` runs the CLI tests in
#   scripts/install-deps.sh --style  also clang-format, shellcheck and python3, which
#                                    `make check-style` runs
# Uses apt-get as root, or through sudo when that works without a password. When neither is
# possible it prints the exact command to run by hand and exits 1.
set -u

pkgs=(gcc make pkg-config
      libsqlite3-dev libgsl-dev libcairo2-dev libinih-dev libjansson-dev
      libcmocka-dev nettle-dev libpng-dev fonts-dejavu-core sqlite3)
[ "${1:-}" = "--bench" ] && pkgs+=(time python3-sklearn r-base-core)
[ "${1:-}" = "--browser" ] && pkgs+=(chromium)
[ "${1:-}" = "--export" ] && pkgs+=(postgresql libxml2-utils python3-jsonschema)
# clang-14's runtimes (libFuzzer, ASan, UBSan) are only a recommendation of Debian's clang
[ "${1:-}" = "--fuzz" ] && pkgs+=(clang libclang-rt-dev llvm)
[ "${1:-}" = "--valgrind" ] && pkgs+=(valgrind)
[ "${1:-}" = "--style" ] && pkgs+=(clang-format shellcheck python3)

missing=()
for p in "${pkgs[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
else
    echo "install-deps: cannot install packages (not root, no password-less sudo)." >&2
    echo "install-deps: run this by hand, then try again:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-deps: no apt-get here; install these (Debian names) by hand: ${missing[*]}" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq >&2 || { echo "install-deps: apt-get update failed" >&2; exit 1; }
if ! "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2; then
    echo "install-deps: apt-get install failed; install by hand: ${missing[*]}" >&2
    exit 1
fi
