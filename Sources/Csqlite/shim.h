#ifndef SHOPSTREAM_CSQLITE_SHIM_H
#define SHOPSTREAM_CSQLITE_SHIM_H
#include <sqlite3.h>

// SQLITE_TRANSIENT is a cast of -1 to a function pointer, which Swift cannot import;
// binding text or blobs with it makes SQLite copy the bytes before the call returns.
static inline sqlite3_destructor_type shopstream_sqlite_transient(void) {
    return SQLITE_TRANSIENT;
}

// sqlite3_config is variadic, which Swift cannot call. Without memory statistics SQLite takes
// no process-wide mutex on every allocation (connections on two threads contended for it).
// SQLITE_MISUSE once SQLite is initialized: it applies only before the first connection.
static inline int shopstream_sqlite_disable_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
#endif
