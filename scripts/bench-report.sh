#!/usr/bin/env bash
# The full cycle over a generated order export (release build): run, simulate-wms, run, report.
# Prints the wall time and peak RSS of each step; the report step is the one issue 3 asks about.
#
#   scripts/bench-report.sh 100000
set -euo pipefail
cd "$(dirname "$0")/.."
orders=${1:-100000}
gen=${GEN_ORDERS:-../shared/bench/gen_orders.py}
swift build -c release --static-swift-stdlib --product erpwms >/dev/null  # as shipped: see README, "Your own integration"
bin=$(swift build -c release --show-bin-path)/erpwms
tmp=$(mktemp -d /tmp/erpwms-bench-report.XXXXXX)
python3 "$gen" --orders "$orders" --seed 42 --format csv --out "$tmp/orders.csv" 2>/dev/null
ws="$tmp/ws"
"$bin" init "$ws" >/dev/null
sed -i 's/min_age_seconds: 5/min_age_seconds: 0/' "$ws/erpwms.yaml"
# A realistic setup: no min age for the confirmation inbox either.
sed -i 's|^    inbox: inbox/wms-confirmations$|&\n    pickup: { min_age_seconds: 0 }|' "$ws/erpwms.yaml"
cp "$tmp/orders.csv" "$ws/inbox/erp-orders/"
step() {
  local name=$1; shift
  # Each step after a sync: the previous step's writes (a million orders' ledger, the report's details) would
  # otherwise be written back during this one and billed to it (the report measured 8.0-12.4 s that way).
  sync
  /usr/bin/time -f "%e %M" -o "$tmp/time" "$@" > "$tmp/$name.out" 2>&1 || true
  read -r wall rss < <(tail -n 1 "$tmp/time")
  printf '%-14s wall_s=%-7s peak_rss_mib=%s\n' "$name" "$wall" "$((rss / 1024))"
}
step run-orders "$bin" run -w "$ws" --quiet
step simulate "$bin" simulate-wms -w "$ws"
step run-confirm "$bin" run -w "$ws" --quiet
step report "$bin" report -w "$ws"
cat "$tmp/report.out" | head -1
rm -rf "$tmp"
