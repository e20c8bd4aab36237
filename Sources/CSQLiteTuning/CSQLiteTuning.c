#include "CSQLiteTuning.h"
#include <sqlite3.h>

int tracedoctor_sqlite_configure(void) {
    int rc = sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
    if (rc == SQLITE_OK) {
        rc = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    }
    if (rc == SQLITE_OK) {
        /* "file:...?immutable=1": how a reader opens a WAL database it cannot write beside. */
        rc = sqlite3_config(SQLITE_CONFIG_URI, 1);
    }
    return rc;
}
