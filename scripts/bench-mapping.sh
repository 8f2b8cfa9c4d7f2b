#!/usr/bin/env bash
# Does a mapping cost anything for simple renames? Runs the same generated orders through the canonical
# path and through a channel whose mapping renames every column (headers prefixed with "x_"), alternating,
# and prints each run's wall time. Release build.
#
#   scripts/bench-mapping.sh 100000 5
set -euo pipefail
cd "$(dirname "$0")/.."
orders=${1:-100000}
runs=${2:-5}
gen=${GEN_ORDERS:-../shared/bench/gen_orders.py}
swift build -c release --static-swift-stdlib --product erpwms >/dev/null  # as shipped: see README, "Your own integration"
bin=$(swift build -c release --show-bin-path)/erpwms
tmp=$(mktemp -d /tmp/erpwms-bench-mapping.XXXXXX)
python3 "$gen" --orders "$orders" --seed 42 --format csv --out "$tmp/orders.csv" 2>/dev/null
# The same file with every header renamed.
{ head -n 1 "$tmp/orders.csv" | tr -d '\r' | awk -F, '{ for (i = 1; i <= NF; i++) printf "%sx_%s", (i > 1 ? "," : ""), $i; printf "\r\n" }'
  tail -n +2 "$tmp/orders.csv"; } > "$tmp/renamed.csv"
mapping=$(head -n 1 "$tmp/orders.csv" | tr -d '\r' | tr ',' '\n' | awk '{ printf "      %s: x_%s\n", $1, $1 }')
run() {  # $1 = canonical|mapped
  local ws="$tmp/ws-$1-$2"
  "$bin" init "$ws" >/dev/null
  if [ "$1" = mapped ]; then
    printf 'version: 1\nchannels:\n  erp-orders:\n    pickup: { min_age_seconds: 0 }\n    mapping:\n%s\nrouting: { default_warehouse: WH-EU-DE1 }\n' "$mapping" > "$ws/erpwms.yaml"
    cp "$tmp/renamed.csv" "$ws/inbox/erp-orders/"
  else
    printf 'version: 1\nchannels:\n  erp-orders:\n    pickup: { min_age_seconds: 0 }\nrouting: { default_warehouse: WH-EU-DE1 }\n' > "$ws/erpwms.yaml"
    cp "$tmp/orders.csv" "$ws/inbox/erp-orders/"
  fi
  /usr/bin/time -f "%e" -o "$tmp/t" "$bin" run -w "$ws" --quiet >/dev/null 2>&1 || true
  echo "$1 $(tail -n 1 "$tmp/t")"
  rm -rf "$ws"
}
for i in $(seq "$runs"); do run canonical "$i"; run mapped "$i"; done
rm -rf "$tmp"
