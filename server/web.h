/* The web page's files, served from memory (web.c). */
#ifndef LDN_SERVER_WEB_H
#define LDN_SERVER_WEB_H

#include "app.h"

/* Read the page's files from dir into app->web: 0, or 70 when out of
 * memory.  A missing file is a warning on stderr: the API is served
 * without the page (app->web NULL, GET / is 503 naming "web"). */
int web_load(struct app *app, const char *dir);

/* Free app->web; a no-op when nothing was loaded. */
void web_free(struct app *app);

#endif
