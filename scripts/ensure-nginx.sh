#!/usr/bin/env bash
# Install Debian's nginx for the deploy test (tests/test_deploy.py) when it is missing and we may
# (root, or password-less sudo). The test starts its own unprivileged nginx on a free port with
# deploy/nginx.conf; the package's own service is not needed (and is not started by the test).
set -u
for candidate in "${REGVIZ_NGINX:-}" /usr/sbin/nginx /usr/bin/nginx; do
  if [ -n "$candidate" ] && [ -x "$candidate" ]; then exit 0; fi
done
if command -v nginx >/dev/null 2>&1; then exit 0; fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-nginx: no nginx and no apt-get; the deploy test will be skipped (or fail under CI=true)." >&2
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
else
  echo "ensure-nginx: nginx is missing and installing it needs root: sudo apt-get install -y nginx" >&2
  exit 0
fi
echo "ensure-nginx: installing Debian's nginx package"
$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nginx >/dev/null
