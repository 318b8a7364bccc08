/* Percent-decoding of a request's path and arguments (http.c gives it to
 * libmicrohttpd in place of its own). */
#ifndef LDN_SERVER_UNESCAPE_H
#define LDN_SERVER_UNESCAPE_H

#include <stddef.h>

/*
 * Decode each %HH of the NUL-terminated s in place and return the new
 * length, except a %HH that would give a control character (below 0x20, or
 * 0x7f): it stays as written.  A decoded NUL would cut the string short in
 * silence, so that /patients/p-9%00x named p-9; left as "%00", the path
 * names nothing and is refused.
 */
size_t url_unescape(char *s);

#endif
