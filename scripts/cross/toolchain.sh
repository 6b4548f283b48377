# Sourced by scripts/cross-check and scripts/bundle-windows: installs the cross toolchain
# where missing (ENVIRONMENT.md's route) and sets the environment for it.

PACKAGES=(rustc-web cargo-web rust-web-src libstd-rust-web-dev gcc-mingw-w64-x86-64 wine64)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing the cross toolchain: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Debian's compiler, not rustup's (whose toolchain has only the Linux standard library); the
# host build's clippy wrapper stays out.
export PATH="/usr/bin:$PATH" RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1
unset RUSTC_WORKSPACE_WRAPPER CLIPPY_ARGS
CROSS=target/cross
BUILD_STD=(-Zbuild-std=std,panic_abort --target-dir "$CROSS" --locked)
# Warnings are errors here as on the host.
export RUSTFLAGS="-D warnings"
