#!/usr/bin/env bash
# Runs one libFuzzer target for SECONDS (see TOOLCHAIN.md for the recipe).
#   scripts/fuzz.sh FuzzCSV 600          targets: FuzzCSV FuzzXML FuzzGzip FuzzConfirmation FuzzFileName FuzzDocuments
# Corpus and crashes go to .fuzz/TARGET/; a crash reproducer is printed by libFuzzer and must become a test.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?target: FuzzCSV, FuzzXML, FuzzGzip, FuzzConfirmation, FuzzFileName or FuzzDocuments}
seconds=${2:-60}
export ERPWMS_FUZZ=1
swift build -c debug --scratch-path .build-fuzz --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address --product "$target"
mkdir -p ".fuzz/$target/corpus" ".fuzz/$target/crashes"
# Seed the corpus with the samples.
case "$target" in
  FuzzCSV) cp samples/orders/*.csv samples/foreign/*.csv ".fuzz/$target/corpus/" 2>/dev/null || true ;;
  FuzzXML) cp samples/orders/*.xml ".fuzz/$target/corpus/" 2>/dev/null || true ;;
  FuzzConfirmation) cp samples/confirmations/* ".fuzz/$target/corpus/" 2>/dev/null || true ;;
  FuzzDocuments) cp samples/items/*.* samples/purchasing/*.* samples/returns/*.* samples/cancellations/*.* samples/inventory/*.* \
                   ".fuzz/$target/corpus/" 2>/dev/null || true ;;
  FuzzGzip) gzip -c samples/orders/erp-orders-2025-03-01.csv > ".fuzz/$target/corpus/sample.gz" ;;
esac
SWIFT_BACKTRACE=enable=no ".build-fuzz/debug/$target" -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536 \
  -artifact_prefix=".fuzz/$target/crashes/" ".fuzz/$target/corpus"
