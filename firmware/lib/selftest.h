/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Case reporting for self-test payloads: one line per case,
 * "PASS name", "FAIL name: why" or "SKIP name: why", then a summary.
 * A case records its first failure; later checks in it still run.
 */
#ifndef FW_SELFTEST_H
#define FW_SELFTEST_H

#include <vsva/types.h>

#define ST_WHY_LEN	200

struct st_case {
	const char *name;
	bool failed;
	char why[ST_WHY_LEN];
};

void st__begin(struct st_case *c, const char *name);
/* Records why the case failed (the first reason wins); returns false. */
bool st__fail(struct st_case *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Prints the case's line and counts it; returns true if it passed. */
bool st__end(struct st_case *c);
void st__skip(const char *name, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Prints "prog: N passed, M failed, K skipped"; returns 0 if nothing
 * failed (and at least one case ran), else 1. */
int st__summary(const char *prog);

#endif
