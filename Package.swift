// swift-tools-version:6.0
import Foundation
import PackageDescription

// ERPWMS_SYSTEM_MALLOC=1 builds without tcmalloc (AddressSanitizer and ThreadSanitizer runs: they bring their own
// malloc, and the test bundle links what the executable links).
let tcmalloc: [Target.Dependency] = ProcessInfo.processInfo.environment["ERPWMS_SYSTEM_MALLOC"] == nil ? ["CTCMalloc"] : []

let package = Package(
    name: "erpwms",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "erpwms", targets: ["erpwms"]),
        .library(name: "ERPWMSCore", targets: ["ERPWMSCore"]),
        .library(name: "ERPWMSFormats", targets: ["ERPWMSFormats"]),
        .library(name: "ERPWMSEngine", targets: ["ERPWMSEngine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        // SHA-256 content hashes for file and order dedupe.
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // SQLite 3.54.1 from its amalgamation (scripts/vendor-sqlite.sh), compiled into the executable with the
        // options SQLite recommends for speed (sqlite.org/compile.html), instead of the system's shared library
        // (Debian 12: 3.40.1, built without the lookaside allocator). Its definitions of the C API are the ones
        // GRDB's calls resolve to (GRDBSQLite still names the system library, which is loaded and left unused).
        // 100,000 orders, 13 runs alternating: CPU 1.243 -> 1.135 s, 0.689 -> 0.651 s.
        .target(
            name: "CSQLite",
            cSettings: [
                .define("SQLITE_THREADSAFE", to: "1"),  // GRDB's pools use connections from several threads
                .define("SQLITE_DEFAULT_MEMSTATUS", to: "0"),
                .define("SQLITE_DQS", to: "0"),
                .define("SQLITE_LIKE_DOESNT_MATCH_BLOBS"),
                .define("SQLITE_MAX_EXPR_DEPTH", to: "0"),
                .define("SQLITE_MAX_VARIABLE_NUMBER", to: "250000"),  // as Debian's
                .define("SQLITE_OMIT_DEPRECATED"),
                .define("SQLITE_OMIT_LOAD_EXTENSION"),
                .define("SQLITE_OMIT_SHARED_CACHE"),
                .define("SQLITE_USE_ALLOCA"),
                // Plans do not depend on bound values: otherwise a query whose plan looked at a parameter is prepared
                // again at every new value (3.54's planner does so for the confirmations' per-order look-ups, which
                // GRDB's authorizer then follows: the confirmation run over 100,000 orders took 8.2 s instead of 3.2).
                .define("SQLITE_ENABLE_QPSG"),
                .define("SQLITE_ENABLE_MATH_FUNCTIONS"),
                // Statement journals of up to 128 KiB stay in memory instead of going to a temporary file past the
                // default 64 KiB. The multi-row inserts of instructions need one (see `RowBuffer`): a statement's journal
                // holds the pages it changes, and with 32 KiB pages that passed 64 KiB, so over 100,000 orders (before
                // an order's first instruction became its own row, migration v11) 683 MB went through `/var/tmp` (41,664
                // writes). Not more than 128 KiB: with 256 KiB or more, SQLite (3.40 and 3.54 alike) failed a statement
                // whose journal then spilled to disk with "database or disk is full" (SQLITE_FULL): the index rebuild of
                // migration v12 on a million orders' ledger did. (Set at compile time: `sqlite3_config` at run time
                // takes effect only before SQLite's first connection in the process, which a test could open first.)
                .define("SQLITE_STMTJRNL_SPILL", to: "131072"),
                .define("HAVE_FDATASYNC", to: "1"),
                .define("HAVE_LOCALTIME_R", to: "1"),
                .define("HAVE_GMTIME_R", to: "1"),
                .define("HAVE_STRCHRNUL", to: "1"),
                .define("HAVE_MALLOC_USABLE_SIZE", to: "1"),
                // Release builds only (a debug build, the tests', compiles it in a quarter of the time): -O3 and no frame
                // pointer took another 60 ms of CPU off the ledger's inserts (SwiftPM's own -O2 -fno-omit-frame-pointer: 41 ms).
                .unsafeFlags(["-O3", "-fomit-frame-pointer"], .when(configuration: .release)),
            ],
            linkerSettings: [.linkedLibrary("m"), .linkedLibrary("pthread")]
        ),
        // gperftools' tcmalloc (minimal: no profiler), the executable's malloc. The pipeline allocates every field
        // on a reading thread and frees it on the ledger thread; glibc's malloc takes its slow, locked path for
        // each such free. Measured on 100,000 orders (2 cores): XML input 3.2 -> 2.9 s, CSV 1.65 -> 1.55 s
        // without the output check, peak RSS +4 MiB; jemalloc gained half as much.
        .systemLibrary(name: "CTCMalloc", pkgConfig: "libtcmalloc_minimal", providers: [.apt(["libgoogle-perftools-dev"])]),
        // The CSV reader's byte loops in C: the row split, sixteen bytes at a time (SSE2), and the packing of a row's
        // fields (Sources/CByteScan; each file says why it is in C).
        .target(name: "CByteScan"),
        .target(
            name: "ERPWMSCore",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(
            name: "ERPWMSFormats",
            dependencies: ["ERPWMSCore", "CByteScan", "CLibXML2", "CZlib", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(
            name: "ERPWMSEngine",
            dependencies: [
                "ERPWMSCore", "ERPWMSFormats",
                .product(name: "GRDB", package: "GRDB.swift"),
                // The SQLite C API GRDB itself uses: the per-order inserts bind values directly (see FastStatement).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                "CSQLite",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "erpwms",
            dependencies: [
                "ERPWMSEngine", "ERPWMSCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ] + tcmalloc
        ),
        .testTarget(name: "ERPWMSCoreTests", dependencies: ["ERPWMSCore"]),
        .testTarget(name: "ERPWMSFormatsTests", dependencies: ["ERPWMSFormats", "ERPWMSCore", "CByteScan"]),
        .testTarget(name: "ERPWMSEngineTests", dependencies: ["ERPWMSEngine", "ERPWMSFormats", "ERPWMSCore"]),
        .testTarget(name: "EndToEndTests", dependencies: ["erpwms", "ERPWMSEngine"], exclude: ["Golden", "GoldenForeign"]),
    ]
)

// Fuzz targets (libFuzzer) exist only when scripts/fuzz.sh asks for them: they have no main of their own and
// link only with -sanitize=fuzzer, so a plain `swift build` must not see them.
if ProcessInfo.processInfo.environment["ERPWMS_FUZZ"] != nil {
    for name in ["FuzzCSV", "FuzzXML", "FuzzGzip", "FuzzConfirmation", "FuzzFileName", "FuzzDocuments"] {
        package.targets.append(.executableTarget(name: name, dependencies: ["ERPWMSFormats", "ERPWMSCore"], path: "Fuzz/\(name)"))
        package.products.append(.executable(name: name, targets: [name]))
    }
}
