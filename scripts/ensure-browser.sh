#!/usr/bin/env bash
# Install Debian's Chromium and CJK fonts for the browser tests when they are missing.
# Playwright drives this Chromium through executable_path (`playwright install` cannot
# download browsers here). Without root or apt the browser tests skip with a reason,
# unless XIEZUO_REQUIRE_BROWSER=1 (as in CI), where they fail.
set -u
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing ${need[*]} for the browser tests"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
else
  echo "note: ${need[*]} missing and cannot be installed here; browser tests will skip" >&2
fi
exit 0
