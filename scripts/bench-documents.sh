#!/usr/bin/env bash
# The other document flows at size: an item master, purchase orders and cancellations, each file through
# `erpwms run` (release build) in a fresh workspace; prints wall time and peak RSS per flow, RUNS times each.
#
#   scripts/bench-documents.sh [N] [RUNS]      # default 100000 documents of each kind, 3 runs
#
# Items: N item-master rows (valid GTINs, dotted and plain HS codes, a few lower-case units). Purchase orders: N
# orders of three lines over three warehouses. Cancellations: N cancellations of orders the ledger has not seen.
# Peak RSS must not grow with N (the readers hand documents out one at a time).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
runs=${2:-3}
swift build -c release --static-swift-stdlib --product erpwms >/dev/null
bin=$(swift build -c release --show-bin-path)/erpwms
tmp=$(mktemp -d /tmp/erpwms-bench-documents.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
python3 - "$n" "$tmp" <<'PY'
import sys
n, out = int(sys.argv[1]), sys.argv[2]
def gtin13(i):
    body = f"426{i:09d}"
    s = sum((3 if k % 2 else 1) * int(d) for k, d in enumerate(body))
    return body + str((10 - s % 10) % 10)
with open(f"{out}/items.csv", "w") as f:
    f.write("sku,description,gtin,uom,weight_kg,length_cm,width_cm,height_cm,hs_code,origin_country,lot_tracked,serial_tracked\n")
    for i in range(n):
        hs = "6404.11.00" if i % 7 == 0 else "6404110000"
        uom = "pr" if i % 11 == 0 else "EA"
        f.write(f'SKU-{i:07d},"Product {i}, colour {i % 17}, size {i % 9}",{gtin13(i)},{uom},0.{i % 90 + 10},33,22,12,{hs},VN,{"true" if i % 5 == 0 else "false"},false\n')
warehouses = ["WH-EU-DE1", "WH-EU-NL1", "WH-GB-MK1"]
with open(f"{out}/purchase-orders.csv", "w") as f:
    f.write("po_number,supplier,expected_date,warehouse,line_no,sku,quantity,uom\n")
    for i in range(n):
        for l in range(1, 4):
            f.write(f"PO-{i:07d},SUP-{i % 50:03d},2025-03-{i % 27 + 1:02d},{warehouses[i % 3]},{l},SKU-{(i * 7 + l) % max(n, 1):07d},{i % 40 + 1},EA\n")
with open(f"{out}/cancellations.csv", "w") as f:
    f.write("order_id,reason,requested_at\n")
    for i in range(n):
        f.write(f"SO{i:09d},customer_request,2025-03-01T09:10:00+01:00\n")
PY
# flow DOCUMENT FILE: one run in a fresh workspace with one channel of that document; prints "seconds rss_mib".
flow() {
  local ws="$tmp/ws"
  rm -rf "$ws"
  "$bin" init "$ws" >/dev/null
  sed -i "s/^channels:$/channels:\n  docs:\n    document: $1\n    pickup: { min_age_seconds: 0 }/" "$ws/erpwms.yaml"
  mkdir -p "$ws/inbox/docs"
  cp "$2" "$ws/inbox/docs/"
  sync
  # A run that fails, rejects anything or leaves its input behind is not a measurement.
  /usr/bin/time -f "%e %M" -o "$tmp/t" "$bin" run -w "$ws" --quiet >/dev/null 2>"$tmp/err" \
    || { echo "erpwms run failed for $1:" >&2; cat "$tmp/err" >&2; exit 1; }
  [ -z "$(ls "$ws/failed")" ] || { echo "unexpected rejects for $1: $(ls "$ws/failed")" >&2; exit 1; }
  [ -z "$(ls "$ws/inbox/docs")" ] || { echo "input left in the inbox for $1" >&2; exit 1; }
  [ -n "$(find "$ws/archive" -name "$(basename "$2")")" ] || { echo "$1: the input was not archived" >&2; exit 1; }
  read -r s kb < "$tmp/t"
  echo "$s $((kb / 1024))"
}
printf '%-18s %8s %20s %9s\n' "flow ($n)" "median s" "runs s" "peak MiB"
for doc in items purchase-orders cancellations; do
  times=(); peak=0
  for _ in $(seq "$runs"); do
    read -r s mib < <(flow "$doc" "$tmp/$doc.csv")
    times+=("$s"); (( mib > peak )) && peak=$mib
  done
  median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  printf '%-18s %8s %20s %9s\n' "$doc" "$median" "$(printf '%s ' "${times[@]}")" "$peak"
done
