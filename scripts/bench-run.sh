#!/usr/bin/env bash
# Generates an order export with ../shared/bench/gen_orders.py, runs `erpwms run` (release build) over it
# in a fresh workspace, and prints wall time, peak RSS and whether the counts match the generator's
# ground truth. Nothing is committed; files go to a temp folder.
#
#   scripts/bench-run.sh ORDERS [csv|xml] [--gzip]
#   scripts/bench-run.sh 400000          # about 1,000,000 lines
set -euo pipefail
cd "$(dirname "$0")/.."
orders=${1:-100000}
format=${2:-csv}
gz=${3:-}
gen=${GEN_ORDERS:-../shared/bench/gen_orders.py}
[ -f "$gen" ] || { echo "gen_orders.py not found at $gen (set GEN_ORDERS)"; exit 1; }

swift build -c release --static-swift-stdlib --product erpwms >/dev/null  # as shipped: see README, "Your own integration"
bin=$(swift build -c release --show-bin-path)/erpwms
tmp=$(mktemp -d /tmp/erpwms-bench.XXXXXX)
ext=$format; [ -n "$gz" ] && ext="$format.gz"
input="$tmp/orders.$ext"
python3 "$gen" --orders "$orders" --seed 42 --format "$format" --out "$input" ${gz:+--gzip} --manifest "$tmp/manifest.json" 2>/dev/null

ws="$tmp/ws"
"$bin" init "$ws" >/dev/null
channel=erp-orders; [ "$format" = xml ] && channel=erp-orders-xml
sed -i 's/min_age_seconds: 5/min_age_seconds: 0/' "$ws/erpwms.yaml"
cp "$input" "$ws/inbox/$channel/"
/usr/bin/time -f "%e %M" -o "$tmp/time" "$bin" run --workspace "$ws" --json > "$tmp/summary.json" || true
read -r wall rss_kb < <(tail -n 1 "$tmp/time")
python3 - "$tmp/manifest.json" "$tmp/summary.json" "$wall" "$rss_kb" "$(stat -c %s "$input")" <<'PY'
import json, sys
m = json.load(open(sys.argv[1])); s = json.load(open(sys.argv[2]))
wall, rss = float(sys.argv[3]), int(sys.argv[4]) / 1024
ok = (s["ordersAccepted"], s["ordersRejected"], s["ordersDuplicate"], s["linesAccepted"]) == \
     (m["valid_orders"], m["invalid_orders"], m["duplicate_orders"], m["valid_lines"])
print(f"lines={m['lines']} bytes={sys.argv[5]} wall_s={wall:.2f} peak_rss_mib={rss:.1f} "
      f"accepted={s['ordersAccepted']} rejected={s['ordersRejected']} duplicate={s['ordersDuplicate']} "
      f"lines_out={s['linesAccepted']} matches_ground_truth={ok}")
PY
rm -rf "$tmp"
