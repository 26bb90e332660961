#!/usr/bin/env bash
# Debian's nginx for the deploy test (tests/test_deploy.py), which starts its own unprivileged
# nginx with deploy/nginx.conf on a free port; the package's own service is not needed.
# deploy/nginx.conf uses the auth_request module (in Debian's nginx and in the official image):
# say so when the nginx found lacks it, rather than let the test fail on "unknown directive".
"$(dirname "$0")/ensure-debian-package.sh" nginx "the deploy test" \
  "${REGVIZ_NGINX:-}" /usr/sbin/nginx /usr/bin/nginx || exit $?
for candidate in "${REGVIZ_NGINX:-}" /usr/sbin/nginx /usr/bin/nginx "$(command -v nginx)"; do
  if [ -n "$candidate" ] && [ -x "$candidate" ]; then
    if ! "$candidate" -V 2>&1 | grep -q -- --with-http_auth_request_module; then
      echo "ensure-nginx: $candidate lacks the auth_request module that deploy/nginx.conf uses;" \
        "install Debian's nginx package (or set REGVIZ_NGINX to an nginx that has it)" >&2
    fi
    break
  fi
done
