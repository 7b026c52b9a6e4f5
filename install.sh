#!/usr/bin/env bash
# Installs everything provenum needs into ./.venv, then runs `provenum demo`.
#   Debian packages: gcc (assembles the kernels), python3-dev (headers for the
#   native extension), libgmp-dev (GMP beside provenum in the benchmarks, and
#   the constant-time tools invert blinding products with it),
#   openssl (interoperability tests), python3-venv, valgrind (memcheck and its
#   client-request headers: `provenum ct-check`); for AArch64: llvm-19
#   (llvm-mca, the Arm cost model) and, on hosts that are not aarch64,
#   gcc-aarch64-linux-gnu (cross-builds Arm code) and qemu-user (runs it).
#   PyPI packages: provenum itself, editable, with its test and bench extras.
# Set PROVENUM_NO_DEMO=1 to install without running the demo.
set -euo pipefail
cd "$(dirname "$0")"

debian_packages=(gcc python3-dev libgmp-dev openssl python3-venv valgrind llvm-19)
case "$(uname -m)" in
    aarch64|arm64) ;;                                  # Arm code builds and runs natively
    *) debian_packages+=(gcc-aarch64-linux-gnu qemu-user) ;;
esac
if command -v dpkg-query >/dev/null 2>&1; then
    missing=()
    for pkg in "${debian_packages[@]}"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    if ((${#missing[@]})); then
        sudo=""
        [ "$(id -u)" -eq 0 ] || sudo="sudo"
        echo "install.sh: installing Debian packages: ${missing[*]}"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
    fi
fi

python=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[dev]"

if [ -z "${PROVENUM_NO_DEMO:-}" ]; then
    .venv/bin/provenum demo
fi
