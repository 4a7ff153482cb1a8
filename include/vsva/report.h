/* SPDX-License-Identifier: GPL-2.0 */
/* Results: aligned tables for people, JSON for programs. */
#ifndef VSVA_REPORT_H
#define VSVA_REPORT_H

#include <stdio.h>
#include <vsva/hist.h>

/* A tiny JSON writer: keys and values in order, commas handled. */
struct json {
	FILE *f;
	int depth;
	bool first[16];
};

void json__begin(struct json *j, FILE *f);
void json__end(struct json *j);
void json__obj(struct json *j, const char *key);	/* key NULL at top */
void json__close(struct json *j);
void json__u64(struct json *j, const char *key, u64 v);
void json__dbl(struct json *j, const char *key, double v);
void json__str(struct json *j, const char *key, const char *v);
/* {"p50":..,"p90":..,"p99":..,"max":..} in microseconds */
void json__lat(struct json *j, const char *key, const struct hist *h);

/* "p50 1.2  p90 3.4  p99 5.6  max 7.8" in microseconds */
void report__lat(FILE *f, const char *label, const struct hist *h);

#endif
