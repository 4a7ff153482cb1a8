/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A latency histogram: log2 buckets split in 16 linear sub-buckets, so a
 * percentile is within ~6% of the true value; exact min, max and mean.
 * Pure; not thread-safe (each owner keeps its own, merge to report).
 */
#ifndef VSVA_HIST_H
#define VSVA_HIST_H

#include <vsva/types.h>

#define HIST_SUB_BITS	4
#define HIST_BUCKETS	(64 << HIST_SUB_BITS)

struct hist {
	u64 count;
	u64 sum;
	u64 min, max;
	u32 bucket[HIST_BUCKETS];
};

void hist__init(struct hist *h);
void hist__add(struct hist *h, u64 v);
void hist__merge(struct hist *dst, const struct hist *src);
/* Value at percentile @p (0..100]; 0 if empty. */
u64 hist__pct(const struct hist *h, double p);

#endif
