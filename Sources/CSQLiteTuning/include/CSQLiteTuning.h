// Process-wide SQLite settings that Swift cannot make itself: sqlite3_config is variadic.
#ifndef CSQLITETUNING_H
#define CSQLITETUNING_H

/// Puts SQLite in multi-thread mode (no per-connection mutex: GRDB already serialises each
/// connection) and turns off memory statistics (a global mutex on every allocation).
/// Accepts URI file names (`file:…?immutable=1`). Must run before the first connection opens; returns SQLite's result code.
int tracedoctor_sqlite_configure(void);

#endif
