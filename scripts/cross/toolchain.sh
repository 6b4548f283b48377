# Sourced by scripts/cross-check and scripts/bundle-windows: installs the cross toolchain
# where missing (ENVIRONMENT.md's route) and sets the environment for it.

scripts/apt-ensure "the cross toolchain" rustc-web cargo-web rust-web-src libstd-rust-web-dev gcc-mingw-w64-x86-64 wine64

# Debian's compiler, not rustup's (whose toolchain has only the Linux standard library); the
# host build's clippy wrapper stays out.
export PATH="/usr/bin:$PATH" RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1
unset RUSTC_WORKSPACE_WRAPPER CLIPPY_ARGS
CROSS=target/cross
BUILD_STD=(-Zbuild-std=std,panic_abort --target-dir "$CROSS" --locked)
# Warnings are errors here as on the host. No debug info: these builds are checked and run, not
# debugged, and the big Windows binaries link faster without it.
export RUSTFLAGS="-D warnings -C debuginfo=0"
