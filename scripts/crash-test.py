#!/usr/bin/env python3
"""Kill erpwms with SIGKILL at random moments and check, from the folders alone, that nothing was lost.

  scripts/crash-test.py [--bin PATH] [--files 100] [--orders-per-file 100] [--kills 200] [--seed 1]

Builds a workspace with FILES order files (about 1% invalid orders), then starts `erpwms run` again and
again, killing it with SIGKILL after a random (seeded) delay, KILLS times; then runs it to completion. The
checker reads the folders, not the ledger:
  - every valid order is instructed exactly once across the WMS outbox, no invalid order at all;
  - every input file is in exactly one terminal place (archive/ or failed/), none left in inbox/ or work/;
  - no temporary or hidden file is visible in outbox/, failed/ or archive/;
  - SQLite's integrity_check is ok.
Then two runs are started at the same moment, ROUNDS times: exactly one works, the other exits 75.
Confirmations: the sample-style confirmations for the accepted orders are replayed, reordered and truncated
in several files, with kills in between; the ledger's shipment state must equal that of a clean run.
Exit code 0 when every check passes. The short form runs in CI (Tests/EndToEndTests/CrashScriptTests.swift).
"""
import argparse
import hashlib, os, random, shutil, signal, sqlite3, subprocess, sys, tempfile, time, re, glob

HEADER = ("order_id,order_date,ship_name,ship_address1,ship_city,ship_postcode,ship_country,currency,"
          "payment_method,carrier_service,line_no,sku,quantity,unit_price\n")


def make_workspace(binary, root):
    subprocess.run([binary, "init", root], check=True, stdout=subprocess.DEVNULL)
    cfg = open(os.path.join(root, "erpwms.yaml")).read()
    cfg = cfg.replace("min_age_seconds: 5", "min_age_seconds: 0")
    cfg = cfg.replace("    inbox: inbox/wms-confirmations\n", "    inbox: inbox/wms-confirmations\n    pickup: { min_age_seconds: 0 }\n")
    open(os.path.join(root, "erpwms.yaml"), "w").write(cfg)


def write_orders(root, files, per_file, rng, batch=0):
    valid, invalid = set(), set()
    n = batch * files * per_file
    for f in range(files):
        rows = [HEADER]
        for _ in range(per_file):
            n += 1
            oid = f"SO{n:07d}"
            bad = rng.random() < 0.01
            (invalid if bad else valid).add(oid)
            country = rng.choice(["DE", "US", "GB", "NL"])
            for line in (1, 2):
                qty = "0" if (bad and line == 2) else str(rng.randint(1, 5))
                rows.append(f"{oid},2025-03-01T10:00:00+01:00,Name {n},Street {n},City,10115,{country},EUR,card,DHL_PAKET,"
                            f"{line},SKU-{line},{qty},9.99\n")
        path = os.path.join(root, "inbox", "erp-orders", f"orders-{batch:02d}-{f:03d}.csv")
        with open(path + ".tmp", "w") as out:
            out.writelines(rows)
        os.rename(path + ".tmp", path)
    return valid, invalid


def run(binary, root, env=None):
    return subprocess.run([binary, "run", "-w", root, "--quiet"], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL, env=env).returncode


def kill_loop(binary, root, kills, rng, max_delay):
    done = 0
    while done < kills:
        p = subprocess.Popen([binary, "run", "-w", root, "--quiet"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # Mostly short delays (kills early in a run: claim, recovery, the first files), now and then a long one
        # so that the batch also makes progress and later steps are hit too.
        time.sleep(rng.uniform(0, max_delay) if rng.random() < 0.85 else rng.uniform(0, max_delay * 8))
        if p.poll() is None:
            p.send_signal(signal.SIGKILL)
            p.wait()
            done += 1
        else:
            # Finished before the kill: nothing left to interrupt unless new work arrives.
            if not os.listdir(os.path.join(root, "inbox", "erp-orders")) and not os.listdir(os.path.join(root, "work", "erp-orders") if os.path.isdir(os.path.join(root, "work", "erp-orders")) else []):
                return done
    return done


def instructed(root):
    counts = {}
    for path in glob.glob(os.path.join(root, "outbox", "wms", "*.xml")):
        for oid in re.findall(r'<ShipmentOrder orderId="([^"]+)"', open(path, encoding="utf-8").read()):
            counts[oid] = counts.get(oid, 0) + 1
    return counts


def check(root, valid, invalid, inputs):
    problems = []
    counts = instructed(root)
    missing = valid - counts.keys()
    twice = [o for o, c in counts.items() if c > 1]
    wrong = invalid & counts.keys()
    if missing: problems.append(f"{len(missing)} valid order(s) never instructed, e.g. {sorted(missing)[:3]}")
    if twice: problems.append(f"{len(twice)} order(s) instructed more than once, e.g. {twice[:3]}")
    if wrong: problems.append(f"{len(wrong)} invalid order(s) instructed")
    placed = {}
    paths = {}
    for base in ("archive", "failed"):
        for dirpath, _, names in os.walk(os.path.join(root, base)):
            for name in names:
                if name in inputs:
                    placed[name] = placed.get(name, 0) + 1
                    paths[name] = os.path.join(dirpath, name)
    for name in inputs:
        if placed.get(name, 0) != 1:
            problems.append(f"input {name} is in {placed.get(name, 0)} terminal place(s)")
    for base in ("inbox", "work"):
        for dirpath, _, names in os.walk(os.path.join(root, base)):
            for name in names:
                problems.append(f"left over: {os.path.relpath(os.path.join(dirpath, name), root)}")
    for base in ("outbox", "failed", "archive"):
        for dirpath, _, names in os.walk(os.path.join(root, base)):
            for name in names:
                if name.startswith(".") or name.endswith(".tmp"):
                    problems.append(f"temporary file visible: {os.path.relpath(os.path.join(dirpath, name), root)}")
    db = sqlite3.connect(os.path.join(root, "state", "ledger.sqlite"))
    ok = db.execute("PRAGMA integrity_check").fetchone()[0]
    # A file is hashed while it is processed, and a crash may come before its hash is recorded: every file
    # that reached its terminal place has the hash of its bytes.
    recorded = db.execute("SELECT name, hash FROM files WHERE status IN ('archived', 'failed')").fetchall()
    db.close()  # never keep a connection open while erpwms runs
    for name, digest in recorded:
        if name in paths:
            with open(paths[name], "rb") as f:
                actual = hashlib.sha256(f.read()).hexdigest()
            if digest != actual:
                problems.append(f"ledger hash of {name} is {digest!r}, its bytes hash to {actual}")
    if ok != "ok":
        problems.append(f"integrity_check: {ok}")
    return problems


def shipment_state(root):
    db = sqlite3.connect(os.path.join(root, "state", "ledger.sqlite"))
    rows = db.execute("SELECT s.shipment_id, s.order_id, l.line_no, l.quantity, COALESCE(l.reason, '') "
                      "FROM shipments s JOIN shipment_lines l USING (shipment_id) ORDER BY 1, 3").fetchall()
    db.close()
    return rows


def confirmations(valid_sample):
    """(file name, xml) pieces: the same shipments replayed, reordered and one file truncated."""
    ships = []
    for i, oid in enumerate(sorted(valid_sample)):
        reason = "<Reason>out_of_stock</Reason>" if i % 5 == 0 else ""
        ships.append(f'<ShipmentConfirmation shipmentId="S-{oid}" orderId="{oid}"><ShipDate>2025-03-02T10:00:00Z</ShipDate>'
                     f'<Lines><Line lineNo="1"><Sku>SKU-1</Sku><QuantityShipped>1</QuantityShipped>{reason}</Line></Lines>'
                     f'</ShipmentConfirmation>\n')
    def doc(items):
        return "<?xml version=\"1.0\"?>\n<ShipmentConfirmations>\n" + "".join(items) + "</ShipmentConfirmations>\n"
    half = len(ships) // 2
    full = doc(ships)
    return [("c1.xml", doc(ships[:half])), ("c2.xml", doc(list(reversed(ships)))),      # reordered, overlapping
            ("c3.xml", full), ("c4.xml", full[: len(full) // 2])]                       # replayed; truncated


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=None)
    ap.add_argument("--files", type=int, default=100)
    ap.add_argument("--orders-per-file", type=int, default=100)
    ap.add_argument("--kills", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=5, help="concurrent-start rounds")
    ap.add_argument("--keep", action="store_true", help="keep the workspace")
    a = ap.parse_args()
    binary = a.bin or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".build", "release", "erpwms")
    if not os.path.exists(binary):
        sys.exit(f"{binary} not found: swift build -c release, or pass --bin")
    rng = random.Random(a.seed)
    tmp = tempfile.mkdtemp(prefix="erpwms-crash-")
    problems = []
    try:
        # Calibrate: how long does an uninterrupted batch take?
        cal = os.path.join(tmp, "calibrate")
        make_workspace(binary, cal)
        write_orders(cal, a.files, a.orders_per_file, random.Random(a.seed))
        t0 = time.time(); run(binary, cal); duration = max(time.time() - t0, 0.05)
        reference_inputs = None

        root = os.path.join(tmp, "ws")
        make_workspace(binary, root)
        valid, invalid = write_orders(root, a.files, a.orders_per_file, rng)
        inputs = set(os.listdir(os.path.join(root, "inbox", "erp-orders")))
        kills, batch = 0, 0
        while kills < a.kills:
            # When a batch completes before all kills are spent, another batch of files arrives.
            if batch > 0:
                v, i = write_orders(root, a.files, a.orders_per_file, rng, batch)
                valid |= v
                invalid |= i
                inputs |= {n for n in os.listdir(os.path.join(root, "inbox", "erp-orders"))}
            kills += kill_loop(binary, root, a.kills - kills, rng, max(duration * 3 / a.kills, 0.02))
            batch += 1
        for _ in range(3):
            run(binary, root)
        problems += check(root, valid, invalid, inputs)
        print(f"orders: {len(valid)} valid, {len(invalid)} invalid, {len(inputs)} files in {batch} batch(es); {kills} SIGKILLs "
              f"(a batch takes {duration:.2f} s)")

        # Confirmations: clean reference versus killed runs.
        sample = set(sorted(valid)[: max(10, len(valid) // 20)])
        ref = os.path.join(tmp, "ref")
        shutil.copytree(root, ref)
        for name, text in confirmations(sample):
            open(os.path.join(ref, "inbox", "wms-confirmations", name), "w").write(text)
            run(binary, ref)
        for name, text in confirmations(sample):
            open(os.path.join(root, "inbox", "wms-confirmations", name), "w").write(text)
            kill_loop(binary, root, max(1, a.kills // 20), rng, 0.3)
            run(binary, root)
        if shipment_state(root) != shipment_state(ref):
            problems.append("confirmation state after kills differs from a clean run")
        failed_conf = os.listdir(os.path.join(root, "failed"))
        if not any(n.startswith("c4.xml") for n in failed_conf):
            problems.append("the truncated confirmation file was not quarantined")

        # Two runs at the same moment: exactly one works.
        for r in range(a.rounds):
            more = os.path.join(root, "inbox", "erp-orders")
            write_orders_offset = 10_000_000 + r * 100_000
            rows = [HEADER] + [f"SX{write_orders_offset + i},2025-03-01T10:00:00+01:00,N,S,C,1,DE,EUR,card,DHL,1,SKU-1,1,1.00\n"
                               for i in range(5000)]
            open(os.path.join(more, f".round{r}.tmp"), "w").writelines(rows)
            os.rename(os.path.join(more, f".round{r}.tmp"), os.path.join(more, f"round{r}.csv"))
            p1 = subprocess.Popen([binary, "run", "-w", root, "--quiet"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            p2 = subprocess.Popen([binary, "run", "-w", root, "--quiet"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            codes = sorted([p1.wait(), p2.wait()])
            if codes.count(75) != 1:
                problems.append(f"concurrent start round {r}: exit codes {codes}, expected exactly one 75")
        print(f"concurrent starts: {a.rounds} rounds")
    finally:
        if a.keep:
            print(f"workspace kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    for p in problems:
        print("FAIL:", p)
    print(f"{0 if problems else 1} passed, {1 if problems else 0} failed")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
