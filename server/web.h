/* The web page's files, served from memory (web.c). */
#ifndef LDN_SERVER_WEB_H
#define LDN_SERVER_WEB_H

#include "app.h"

/* Read the page's files from dir into app->web: 0, or an exit code after
 * saying why on stderr. */
int web_load(struct app *app, const char *dir);

/* Free app->web; a no-op when nothing was loaded. */
void web_free(struct app *app);

#endif
