#ifndef ERPWMS_CSQLITE_H
#define ERPWMS_CSQLITE_H
/* The SQLite the ledger runs on, built into the executable from the amalgamation next to this folder (sqlite3.c;
   scripts/vendor-sqlite.sh writes it). Nothing is declared here: GRDB and the ledger call SQLite's C API through
   GRDB's GRDBSQLite module, and these definitions of its functions are the ones the executable links. Its header
   is deliberately not public, so that no Swift module sees two sqlite3.h. */
#endif
