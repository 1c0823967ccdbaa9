#!/usr/bin/env bash
# Fold the pending catalogues (locale/pending/*.po) into django.po after extracting every
# message from the code, then compile. Prints what is still untranslated or fuzzy.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
po=locale/zh_Hans/LC_MESSAGES/django.po
$PY manage.py makemessages -l zh_Hans --ignore=.venv --ignore=staticfiles --no-obsolete -v0
if compgen -G "locale/pending/*.po" >/dev/null; then
  defs=$(mktemp --suffix .po)
  # Pending translations first: they win over the empty entries makemessages just added.
  msgcat --use-first -o "$defs" locale/pending/*.po "$po"
  msgmerge -q -N -o "$po.new" "$defs" "$po"
  msgattrib --no-obsolete -o "$po" "$po.new"
  rm -f "$po.new" "$defs"
  git rm -q --cached locale/pending/*.po 2>/dev/null || true
  rm -f locale/pending/*.po
fi
$PY manage.py compilemessages -l zh_Hans -v0 --ignore=.venv
echo "untranslated: $(msgattrib --untranslated --no-obsolete "$po" | grep -c '^msgid' || true)"
echo "fuzzy: $(msgattrib --only-fuzzy --no-obsolete "$po" | grep -c '^msgid' || true)"
