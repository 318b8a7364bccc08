/*
 * Counters behind /metrics.  Route names are the table's static strings,
 * so a series is found by pointer; the table is small and a mutex guards
 * it (uncontended, it costs tens of nanoseconds a request).
 */
#include "metrics.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"

enum {
	MAX_SERIES = 64,
	N_BUCKETS = 10,
	MAX_DECISIONS = 4
};

static const double buckets[N_BUCKETS] = { 0.0005, 0.001, 0.0025, 0.005, 0.01,
	0.025, 0.05, 0.1, 0.5, 1.0 };

struct series {
	const char *route;
	int status;
	uint64_t count;
	uint64_t le[N_BUCKETS]; /* cumulative at render time */
	double sum;
};

struct metrics {
	pthread_mutex_t lock;
	struct series s[MAX_SERIES];
	size_t n;
	uint64_t dropped; /* requests beyond MAX_SERIES series */
	const char *decision[MAX_DECISIONS];
	uint64_t plans[MAX_DECISIONS];
};

struct metrics *
metrics_new(void)
{
	struct metrics *m = calloc(1, sizeof(*m));

	if (m && pthread_mutex_init(&m->lock, NULL) != 0) {
		free(m);
		return NULL;
	}
	return m;
}

void
metrics_free(struct metrics *m)
{
	if (m == NULL)
		return;
	pthread_mutex_destroy(&m->lock);
	free(m);
}

void
metrics_request(struct metrics *m, const char *route, int status,
    double seconds)
{
	struct series *s = NULL;

	pthread_mutex_lock(&m->lock);
	for (size_t i = 0; i < m->n && !s; i++)
		if (m->s[i].route == route && m->s[i].status == status)
			s = &m->s[i];
	if (s == NULL && m->n < MAX_SERIES) {
		s = &m->s[m->n++];
		s->route = route;
		s->status = status;
	}
	if (s) {
		s->count++;
		s->sum += seconds;
		for (int b = 0; b < N_BUCKETS; b++)
			if (seconds <= buckets[b]) {
				s->le[b]++;
				break;
			}
	} else {
		m->dropped++;
	}
	pthread_mutex_unlock(&m->lock);
}

void
metrics_plan(struct metrics *m, const char *decision)
{
	pthread_mutex_lock(&m->lock);
	for (int i = 0; i < MAX_DECISIONS; i++) {
		if (m->decision[i] == NULL)
			m->decision[i] = decision;
		if (strcmp(m->decision[i], decision) == 0) {
			m->plans[i]++;
			break;
		}
	}
	pthread_mutex_unlock(&m->lock);
}

char *
metrics_render(struct metrics *m, int64_t started, size_t *len)
{
	struct strbuf b = STRBUF_INIT(1u << 20);
	char *out;

	pthread_mutex_lock(&m->lock);
	sb_puts(&b,
	    "# HELP ldn_http_requests_total Requests answered, by "
	    "route and status.\n"
	    "# TYPE ldn_http_requests_total counter\n");
	for (size_t i = 0; i < m->n; i++)
		sb_printf(&b,
		    "ldn_http_requests_total{route=\"%s\",code=\"%d\"} %llu\n",
		    m->s[i].route, m->s[i].status,
		    (unsigned long long)m->s[i].count);
	sb_puts(&b,
	    "# HELP ldn_http_request_duration_seconds Time from the "
	    "request's arrival to its answer.\n"
	    "# TYPE ldn_http_request_duration_seconds histogram\n");
	for (size_t i = 0; i < m->n; i++) {
		uint64_t cum = 0;
		const struct series *s = &m->s[i];

		for (int k = 0; k < N_BUCKETS; k++) {
			cum += s->le[k];
			sb_printf(&b,
			    "ldn_http_request_duration_seconds_bucket{route=\"%"
			    "s\","
			    "code=\"%d\",le=\"%g\"} %llu\n",
			    s->route, s->status, buckets[k],
			    (unsigned long long)cum);
		}
		sb_printf(&b,
		    "ldn_http_request_duration_seconds_bucket{route=\"%s\","
		    "code=\"%d\",le=\"+Inf\"} %llu\n",
		    s->route, s->status, (unsigned long long)s->count);
		sb_printf(&b,
		    "ldn_http_request_duration_seconds_sum{route=\"%s\",code="
		    "\"%d\"} %.6f\n",
		    s->route, s->status, s->sum);
		sb_printf(&b,
		    "ldn_http_request_duration_seconds_count{route=\"%s\","
		    "code=\"%d\"} %llu\n",
		    s->route, s->status, (unsigned long long)s->count);
	}
	sb_puts(&b,
	    "# HELP ldn_plans_total Plans built, by decision.\n"
	    "# TYPE ldn_plans_total counter\n");
	for (int i = 0; i < MAX_DECISIONS && m->decision[i]; i++)
		sb_printf(&b, "ldn_plans_total{decision=\"%s\"} %llu\n",
		    m->decision[i], (unsigned long long)m->plans[i]);
	sb_printf(&b,
	    "# HELP ldn_metrics_series_dropped_total Requests not counted "
	    "because the series table was full.\n"
	    "# TYPE ldn_metrics_series_dropped_total counter\n"
	    "ldn_metrics_series_dropped_total %llu\n"
	    "# HELP process_start_time_seconds Start time of the process "
	    "since the Unix epoch.\n"
	    "# TYPE process_start_time_seconds gauge\n"
	    "process_start_time_seconds %lld\n",
	    (unsigned long long)m->dropped, (long long)started);
	pthread_mutex_unlock(&m->lock);
	out = sb_take(&b, len);
	if (out == NULL)
		sb_free(&b);
	return out;
}
