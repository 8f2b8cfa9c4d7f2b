#!/usr/bin/env bash
# Side-by-side benchmark: erpwms (release build) against the glue script a team would otherwise write,
# on the same generated order exports, alternating the two, RUNS times each; prints medians and ratios.
#
#   scripts/bench.sh [ORDERS] [RUNS]          # default 100000 orders, 5 runs
#   GEN_ORDERS=path/gen_orders.py PEER=path/peer_python.py scripts/bench.sh
#
# Cases: CSV with output XSD validation (the default) and without; the same CSV gzipped; the canonical XML
# (validated while streaming) next to `xmllint --stream --schema` on the same file; Python's C csv reader alone over
# the CSV (the issue's stretch target: the whole job within 3x of that bare parse); and the peer plain (its
# standard-library `--writer sax`, the faster one, and its default `--writer lxml`) and with --validate (lxml,
# installed from PyPI when missing). Peak RSS is printed for every erpwms case,
# and the range of the runs beside the median. Each run starts after a `sync`, so that what the previous case wrote
# is not flushed during it.
set -euo pipefail
cd "$(dirname "$0")/.."
orders=${1:-100000}
runs=${2:-5}
gen=${GEN_ORDERS:-../shared/bench/gen_orders.py}
peer=${PEER:-../shared/bench/peer_python.py}
[ -f "$gen" ] || { echo "gen_orders.py not found at $gen (set GEN_ORDERS)"; exit 1; }
swift build -c release --static-swift-stdlib --product erpwms >/dev/null  # as shipped: see README, "Your own integration"
bin=$(swift build -c release --show-bin-path)/erpwms
tmp=$(mktemp -d /tmp/erpwms-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
python3 "$gen" --orders "$orders" --seed 42 --format csv --out "$tmp/orders.csv" 2>/dev/null
gzip -n -c "$tmp/orders.csv" > "$tmp/orders.csv.gz"
python3 "$gen" --orders "$orders" --seed 42 --format xml --out "$tmp/orders.xml" 2>/dev/null

# erpwms CASE FILE [validate_output]: one run in a fresh workspace; prints "seconds rss_mib".
erpwms() {
  local ws="$tmp/ws"
  rm -rf "$ws"
  "$bin" init "$ws" >/dev/null
  sed -i "s/min_age_seconds: 5/min_age_seconds: 0/; s/validate_output: true/validate_output: ${3:-true}/" "$ws/erpwms.yaml"
  sed -i 's|^    inbox: inbox/erp-orders-xml$|&\n    pickup: { min_age_seconds: 0 }|' "$ws/erpwms.yaml"
  local channel=erp-orders; [[ "$2" == *.xml ]] && channel=erp-orders-xml
  cp "$2" "$ws/inbox/$channel/"
  sync  # what earlier cases wrote is not flushed during this one
  /usr/bin/time -f "%e %M" -o "$tmp/t" "$bin" run -w "$ws" --quiet >/dev/null 2>&1 || true
  read -r s kb < <(tail -n 1 "$tmp/t")
  echo "$s $((kb / 1024))"
}
timed() {  # a command; prints seconds
  sync
  /usr/bin/time -f "%e" -o "$tmp/t" "$@" >/dev/null 2>&1 || true
  tail -n 1 "$tmp/t"
}
# median of sorted input (values sorts)
median() { awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }

declare -A results rss
add() { results[$1]+="$2 "; }
# The glue script's --validate needs lxml (PyPI); without it that case is left out.
python3 -c 'import lxml' 2>/dev/null || pip install --quiet lxml >/dev/null 2>&1 || true
have_lxml=$(python3 -c 'import lxml' 2>/dev/null && echo yes || echo no)
for i in $(seq "$runs"); do
  read -r s m < <(erpwms csv "$tmp/orders.csv" true); add csv "$s"; rss[csv]=$m
  add peer "$(timed python3 "$peer" "$tmp/orders.csv" --out-dir "$tmp/peer" --writer sax)"
  read -r s m < <(erpwms csv-novalidate "$tmp/orders.csv" false); add csv-novalidate "$s"; rss[csv-novalidate]=$m
  if [ "$have_lxml" = yes ]; then
    add peer-validate "$(timed python3 "$peer" "$tmp/orders.csv" --out-dir "$tmp/peer" --validate)"
    # The glue script's own default writer once lxml is installed: slower than --writer sax, the plain case above.
    add peer-lxml "$(timed python3 "$peer" "$tmp/orders.csv" --out-dir "$tmp/peer" --writer lxml)"
  fi
  read -r s m < <(erpwms gz "$tmp/orders.csv.gz" true); add gz "$s"; rss[gz]=$m
  read -r s m < <(erpwms xml "$tmp/orders.xml" true); add xml "$s"; rss[xml]=$m
  add xmllint "$(timed xmllint --noout --stream --schema schemas/erp-orders.xsd "$tmp/orders.xml")"
  # The issue's stretch target: Python's C csv reader alone over the same file (every row read, nothing done).
  add pycsv "$(timed python3 -c 'import csv, sys
for _ in csv.reader(open(sys.argv[1], newline="", encoding="utf-8")): pass' "$tmp/orders.csv")"
done
values() { tr ' ' '\n' <<< "${results[$1]}" | grep -v '^$' | sort -g; }  # a case's run times, sorted
med() { values "$1" | median; }
spread() { values "$1" | awk 'NR == 1 { lo = $1 } { hi = $1 } END { print lo "-" hi }'; }
printf '%-34s %10s %12s %10s\n' "case ($orders orders, $runs runs)" "median s" "range s" "peak MiB"
for k in csv csv-novalidate gz xml; do printf '%-34s %10s %12s %10s\n' "erpwms run: $k" "$(med $k)" "$(spread $k)" "${rss[$k]}"; done
printf '%-34s %10s %12s\n' "peer_python.py --writer sax" "$(med peer)" "$(spread peer)"
[ "$have_lxml" = yes ] && printf '%-34s %10s %12s\n' "peer_python.py --writer lxml" "$(med peer-lxml)" "$(spread peer-lxml)"
[ "$have_lxml" = yes ] && printf '%-34s %10s %12s\n' "peer_python.py --validate" "$(med peer-validate)" "$(spread peer-validate)"
printf '%-34s %10s %12s\n' "xmllint --stream --schema (XML in)" "$(med xmllint)" "$(spread xmllint)"
printf '%-34s %10s %12s\n' "python3 csv.reader alone (CSV in)" "$(med pycsv)" "$(spread pycsv)"
echo
awk -v a="$(med peer)" -v b="$(med csv)" 'BEGIN { printf "glue script / erpwms (CSV, validated output): %.2fx\n", a / b }'
awk -v a="$(med peer)" -v b="$(med csv-novalidate)" 'BEGIN { printf "glue script / erpwms (CSV, no output check): %.2fx\n", a / b }'
[ "$have_lxml" = yes ] && awk -v a="$(med peer-lxml)" -v b="$(med csv)" -v c="$(med csv-novalidate)" \
  'BEGIN { printf "glue script, lxml writer / erpwms (CSV): %.2fx validated, %.2fx no output check\n", a / b, a / c }'
[ "$have_lxml" = yes ] && awk -v a="$(med peer-validate)" -v b="$(med csv)" 'BEGIN { printf "glue script --validate / erpwms (both check their output): %.2fx\n", a / b }'
awk -v a="$(med gz)" -v b="$(med csv)" 'BEGIN { printf "gzip / plain CSV: %.2fx\n", a / b }'
awk -v a="$(med xml)" -v b="$(med xmllint)" 'BEGIN { printf "erpwms XML / xmllint --stream --schema: %.2fx\n", a / b }'
awk -v a="$(med csv-novalidate)" -v b="$(med csv)" -v c="$(med pycsv)" \
  'BEGIN { printf "erpwms CSV / Python csv.reader alone: %.2fx no output check, %.2fx validated (stretch: within 3x)\n", a / c, b / c }'
