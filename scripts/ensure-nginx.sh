#!/usr/bin/env bash
# Debian's nginx for the deploy test (tests/test_deploy.py), which starts its own unprivileged
# nginx with deploy/nginx.conf on a free port; the package's own service is not needed.
exec "$(dirname "$0")/ensure-debian-package.sh" nginx "the deploy test" \
  "${REGVIZ_NGINX:-}" /usr/sbin/nginx /usr/bin/nginx
