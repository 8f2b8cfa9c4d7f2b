#ifndef ERPWMS_CSQLITECONFIG_SHIM_H
#define ERPWMS_CSQLITECONFIG_SHIM_H
#include <sqlite3.h>

/* sqlite3_config is variadic, which Swift cannot call; wrap the one setting the ledger makes.
   Statement journals up to `bytes` stay in memory (SQLite's default spills them to a temporary file past 64 KiB).
   Must run before SQLite is initialized (the first connection); returns SQLITE_MISUSE after. */
static inline int erpwms_sqlite_statement_journal_spill(int bytes) {
    return sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, bytes);
}
#endif
