#!/usr/bin/env bash
# Fold the pending catalogues (locale/pending/*.po) into django.po after extracting every
# message from the code, then compile. Prints what is still untranslated or fuzzy.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
po=locale/zh_Hans/LC_MESSAGES/django.po
$PY manage.py makemessages -l zh_Hans --ignore=.venv --ignore=staticfiles --no-obsolete -v0
if [ $# -gt 0 ]; then pending=("$@"); else shopt -s nullglob; pending=(locale/pending/*.po); fi
if [ ${#pending[@]} -gt 0 ]; then
  defs=$(mktemp --suffix .po); header=$(mktemp --suffix .po)
  sed -n '1,/^$/p' "$po" > "$header"  # django.po's own header stays first
  # Pending translations next: they win over the empty entries makemessages just added.
  msgcat --use-first -o "$defs" "$header" "${pending[@]}" "$po"
  msgmerge -q -N -o "$po.new" "$defs" "$po"
  msgattrib --no-obsolete -o "$po" "$po.new"
  rm -f "$po.new" "$defs" "$header"
  git rm -q --cached "${pending[@]}" 2>/dev/null || true
  rm -f "${pending[@]}"
fi
scripts/messages.sh  # also compiles the pending files not folded
echo "untranslated: $(msgattrib --untranslated --no-obsolete "$po" | grep -c '^msgid' || true)"
echo "fuzzy: $(msgattrib --only-fuzzy --no-obsolete "$po" | grep -c '^msgid' || true)"
