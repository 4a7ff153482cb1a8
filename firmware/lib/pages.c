// SPDX-License-Identifier: GPL-2.0
/*
 * Bump allocation from a few RAM ranges, plus a free list of single pages
 * threaded through the freed pages themselves. Nothing touches a page before
 * it is handed out, so start-up cost does not grow with the RAM size.
 */
#include <string.h>

#include "fw.h"
#include "pages.h"
#include "pgtable.h"

struct pages_range {
	u64 next;
	u64 end;
};

struct free_page {
	struct free_page *next;
};

static struct pages_range ranges[DT_MAX_REGIONS];
static int nranges;
static struct free_page *free_list;
static unsigned long nfree;

void pages__init(const struct dt_region *regions, int n, u64 floor)
{
	floor = ALIGN_UP(floor, PAGE_SIZE);
	for (int i = 0; i < n && nranges < DT_MAX_REGIONS; i++) {
		u64 start = MAX(regions[i].base, floor);
		u64 end = regions[i].base + regions[i].size;

		if (end < regions[i].base)	/* wraps */
			end = ~0ULL;
		start = ALIGN_UP(start, PAGE_SIZE);
		end = ALIGN_DOWN(MIN(end, FW_MAPPED_LIMIT), PAGE_SIZE);
		if (start < end)
			ranges[nranges++] = (struct pages_range){ start, end };
	}
}

void *pages__alloc(unsigned long n)
{
	void *p = NULL;

	if (n == 1 && free_list) {
		p = free_list;
		free_list = free_list->next;
		nfree--;
	}
	for (int i = 0; !p && n && i < nranges; i++) {
		struct pages_range *r = &ranges[i];

		if ((r->end - r->next) / PAGE_SIZE >= n) {
			p = (void *)(uintptr_t)r->next;
			r->next += n * PAGE_SIZE;
		}
	}
	if (p)
		memset(p, 0, n * PAGE_SIZE);
	return p;
}

void pages__free(void *p, unsigned long n)
{
	u64 pa = (uintptr_t)p;

	assert(IS_ALIGNED(pa, PAGE_SIZE));
	for (; n; n--, pa += PAGE_SIZE) {
		struct free_page *f = (struct free_page *)(uintptr_t)pa;

		f->next = free_list;
		free_list = f;
		nfree++;
	}
}

unsigned long pages__available(void)
{
	unsigned long n = nfree;

	for (int i = 0; i < nranges; i++)
		n += (ranges[i].end - ranges[i].next) / PAGE_SIZE;
	return n;
}

static u64 pt_alloc(void *ctx)
{
	return (uintptr_t)pages__alloc(1);
}

static void pt_free(void *ctx, u64 pa)
{
	pages__free((void *)(uintptr_t)pa, 1);
}

static void *pt_ptr(void *ctx, u64 pa)
{
	return (void *)(uintptr_t)pa;
}

const struct pgtable_mem pages__pgtable_mem = {
	.alloc = pt_alloc,
	.free = pt_free,
	.ptr = pt_ptr,
};
