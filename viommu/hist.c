// SPDX-License-Identifier: GPL-2.0
/* Log-linear latency histogram.  Pure. */
#include <string.h>

#include <vsva/hist.h>

void hist__init(struct hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = ~0ULL;
}

static unsigned int hist__index(u64 v)
{
	unsigned int msb, sub;

	if (v < (1U << HIST_SUB_BITS))
		return (unsigned int)v;
	msb = 63 - (unsigned int)__builtin_clzll(v);
	sub = (unsigned int)(v >> (msb - HIST_SUB_BITS)) &
	      ((1U << HIST_SUB_BITS) - 1);
	return ((msb - HIST_SUB_BITS + 1) << HIST_SUB_BITS) | sub;
}

/* The largest value that lands in bucket @i. */
static u64 hist__upper(unsigned int i)
{
	unsigned int group = i >> HIST_SUB_BITS, sub;
	unsigned int shift;

	if (group == 0)
		return i;
	sub = i & ((1U << HIST_SUB_BITS) - 1);
	shift = group - 1;
	return ((((u64)1 << HIST_SUB_BITS) | sub) << shift) +
	       (((u64)1 << shift) - 1);
}

void hist__add(struct hist *h, u64 v)
{
	h->count++;
	h->sum += v;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
	h->bucket[hist__index(v)]++;
}

void hist__merge(struct hist *dst, const struct hist *src)
{
	dst->count += src->count;
	dst->sum += src->sum;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	for (unsigned int i = 0; i < HIST_BUCKETS; i++)
		dst->bucket[i] += src->bucket[i];
}

u64 hist__pct(const struct hist *h, double p)
{
	u64 want, seen = 0;

	if (!h->count)
		return 0;
	want = (u64)(p / 100.0 * (double)h->count + 0.5);
	if (want < 1)
		want = 1;
	if (want >= h->count)
		return h->max;
	for (unsigned int i = 0; i < HIST_BUCKETS; i++) {
		seen += h->bucket[i];
		if (seen >= want) {
			u64 up = hist__upper(i);

			return up > h->max ? h->max : up;
		}
	}
	return h->max;
}
