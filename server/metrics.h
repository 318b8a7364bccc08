/* Request counts, latencies and plan decisions, in Prometheus text. */
#ifndef LDN_SERVER_METRICS_H
#define LDN_SERVER_METRICS_H

#include <stddef.h>
#include <stdint.h>

struct metrics;

struct metrics *metrics_new(void);
void metrics_free(struct metrics *m);

/* One answered request: its route name (static), status, and time. */
void metrics_request(struct metrics *m, const char *route, int status,
    double seconds);
/* One plan built, by decision name. */
void metrics_plan(struct metrics *m, const char *decision);

/* The exposition (text format 0.0.4) in a malloc'd buffer, or NULL. */
char *metrics_render(struct metrics *m, int64_t started, size_t *len);

#endif
