/* `ldn serve`: the REST API on libmicrohttpd (http.c). */
#ifndef LDN_SERVER_H
#define LDN_SERVER_H

#include "app.h"

/* Serve until SIGTERM or SIGINT, then stop gracefully.  Returns an exit
 * code (sysexits): 0 after a clean stop. */
int server_run(const struct server_config *cfg);

#endif
