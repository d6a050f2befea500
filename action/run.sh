#!/usr/bin/env bash
# Runs openai-casb for action.yml: one collection (scan, or demo for a
# simulated organization), the first format written by it, every further
# format evaluated from the saved inventory (no second collection), all
# into $OUTPUT_DIR. Exits with scan's code (0, 1 for findings at or above
# FAIL_ON, 2 for errors) after every file is written.
#
# Inputs (environment): COMMAND scan|demo, FORMATS "sarif,json", OUTPUT_DIR,
# FAIL_ON, FAIL_ON_NEW true|false, BASELINE, WAIVERS, POLICIES,
# EXTRA_POLICIES, DLP true|false, ALLOW_PARTIAL true|false, ARGS (extra
# arguments, split on spaces), OPENAI_CASB (the binary; default on PATH).
set -uo pipefail

bin="${OPENAI_CASB:-openai-casb}"
command="${COMMAND:-scan}"
out="${OUTPUT_DIR:-openai-casb-results}"
IFS=',' read -r -a formats <<< "${FORMATS:-sarif}"
case "$command" in scan|demo) ;; *) echo "openai-casb action: command must be scan or demo, not $command" >&2; exit 2 ;; esac
[ "${#formats[@]}" -gt 0 ] || formats=(sarif)

mkdir -p "$out"
inventory="$out/openai-inventory.json"
ext() { case "$1" in table) echo txt ;; github) echo github.txt ;; junit) echo junit.xml ;; markdown) echo md ;; ocsf) echo ocsf.jsonl ;; *) echo "$1" ;; esac; }

# Flags every report shares.
report=(--fail-on "${FAIL_ON:-none}")
if [ -n "${BASELINE:-}" ] && [ -f "$BASELINE" ]; then
  report+=(--baseline "$BASELINE")
  [ "${FAIL_ON_NEW:-false}" = true ] && report+=(--fail-on-new)
elif [ -n "${BASELINE:-}" ]; then
  # A first run: nothing to compare with, so nothing is gated as new.
  echo "openai-casb action: no baseline at $BASELINE yet (a first run?): comparing with nothing" >&2
fi
[ -n "${WAIVERS:-}" ] && report+=(--waivers "$WAIVERS")
[ -n "${POLICIES:-}" ] && report+=(--policies "$POLICIES")
[ -n "${EXTRA_POLICIES:-}" ] && report+=(--extra-policies "$EXTRA_POLICIES")
extra=()
[ -n "${ARGS:-}" ] && read -r -a extra <<< "$ARGS"

first="${formats[0]// /}"
collect=(--save-inventory "$inventory")
[ "${DLP:-false}" = true ] && collect+=(--dlp)
[ "${ALLOW_PARTIAL:-false}" = true ] && [ "$command" = scan ] && collect+=(--allow-partial)
"$bin" "$command" "${collect[@]}" "${report[@]}" --format "$first" --output "$out/openai-casb.$(ext "$first")" "${extra[@]}"
code=$?
if [ "$code" -ge 2 ] && [ ! -s "$inventory" ]; then
  echo "openai-casb action: $command failed (exit $code) before an inventory was written" >&2
  exit "$code"
fi
for f in "${formats[@]:1}"; do
  f="${f// /}"
  [ -n "$f" ] || continue
  "$bin" evaluate "$inventory" "${report[@]}" --format "$f" --output "$out/openai-casb.$(ext "$f")" "${extra[@]}"
  c=$?
  if [ "$c" -ge 2 ]; then code=$c; fi
done
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  {
    echo "exit-code=$code"
    echo "results-dir=$out"
    echo "inventory=$inventory"
    for f in "${formats[@]}"; do f="${f// /}"; [ -n "$f" ] && echo "${f}=$out/openai-casb.$(ext "$f")"; done
  } >> "$GITHUB_OUTPUT"
fi
exit "$code"
