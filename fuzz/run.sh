#!/usr/bin/env bash
# Run every atheris harness for N seconds (default 60):  fuzz/run.sh [seconds] [target...]
# Installs atheris (the project's optional extra "fuzz") when it is missing, builds the
# seed corpus from tests/vectors, and writes logs to fuzz/logs/<target>.log and
# crashing inputs to fuzz/crashes/<target>/. Exit status: 1 if any target crashed.
set -u
HERE="$(cd "$(dirname "$0")" && pwd)"
PY="${PYTHON:-python3}"
SECONDS_EACH="${1:-60}"
shift || true
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
  TARGETS=(framer unpack codec session at_parser pdu nmea qgpsloc)
fi
if ! "$PY" -c "import atheris" 2>/dev/null; then
  "$PY" -m pip install atheris || { echo "atheris cannot be installed here" >&2; exit 2; }
fi
"$PY" "$HERE/make_corpus.py" --out "$HERE/corpus"
mkdir -p "$HERE/logs"
status=0
for target in "${TARGETS[@]}"; do
  mkdir -p "$HERE/corpus/$target" "$HERE/crashes/$target"
  log="$HERE/logs/$target.log"
  "$PY" "$HERE/fuzz_$target.py" "$HERE/corpus/$target" -max_total_time="$SECONDS_EACH" \
      -artifact_prefix="$HERE/crashes/$target/" -print_final_stats=1 >"$log" 2>&1
  rc=$?
  runs=$(grep -o 'Done [0-9]* runs' "$log" | tail -1)
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
  echo "$target: rc=$rc ${runs:-no final stats} execs=${execs:-?}"
  [ $rc -ne 0 ] && status=1
done
exit $status
