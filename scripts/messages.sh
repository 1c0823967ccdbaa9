#!/usr/bin/env bash
# Compile the Chinese catalogue (django.mo) from locale/zh_Hans/LC_MESSAGES/django.po and any
# pending catalogues in locale/pending/*.po (translations written while several people work
# at once, folded into django.po by `make messages`). Safe to run concurrently.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=locale/zh_Hans/LC_MESSAGES
tmp=$(mktemp --suffix .po)
trap 'rm -f "$tmp" "$tmp.mo"' EXIT
if compgen -G "locale/pending/*.po" >/dev/null; then
  msgcat --use-first -o "$tmp" "$dir/django.po" locale/pending/*.po
else
  cp "$dir/django.po" "$tmp"
fi
msgfmt --check-format -o "$tmp.mo" "$tmp"
mv "$tmp.mo" "$dir/django.mo"
