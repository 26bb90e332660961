#!/usr/bin/env bash
# ensure-debian-package.sh PACKAGE WHAT [EXECUTABLE ...]
# Install Debian's PACKAGE when none of the EXECUTABLEs exists (nor PACKAGE on the PATH) and we
# may (root, or password-less sudo); otherwise say what is missing and exit 0, so that WHAT (the
# tests that need it) is skipped, or fails under CI=true.
set -u
package=$1
what=$2
shift 2
for candidate in "$@"; do
  if [ -n "$candidate" ] && [ -x "$candidate" ]; then exit 0; fi
done
if command -v "$package" >/dev/null 2>&1; then exit 0; fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-$package: no $package and no apt-get; $what will be skipped (or fail under CI=true)." >&2
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
else
  echo "ensure-$package: $package is missing and installing it needs root: sudo apt-get install -y $package" >&2
  exit 0
fi
echo "ensure-$package: installing Debian's $package package"
$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$package" >/dev/null
