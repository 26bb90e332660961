#!/usr/bin/env bash
# Debian's Chromium for the browser tests: Playwright drives this system browser and never
# downloads its own.
exec "$(dirname "$0")/ensure-debian-package.sh" chromium "the browser tests" \
  "${REGVIZ_CHROMIUM:-}" /usr/bin/chromium /usr/bin/chromium-browser
