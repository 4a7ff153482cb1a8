/* SPDX-License-Identifier: GPL-2.0 */
/*
 * 4 KiB page allocator over the RAM the device tree describes, above the
 * firmware image and below 4 GiB (the part the boot page tables map).
 * Pages come back zeroed; guest-physical address == pointer.
 */
#ifndef FW_PAGES_H
#define FW_PAGES_H

#include <vsva/types.h>
#include "dt.h"

#define PAGE_SIZE	4096UL
#define FW_MAPPED_LIMIT	(4ULL << 30)

/* Takes the parts of regions[] that lie in [floor, FW_MAPPED_LIMIT). */
void pages__init(const struct dt_region *regions, int n, u64 floor);

/* n physically contiguous zeroed pages, or NULL when RAM is exhausted. */
void *pages__alloc(unsigned long n);
void pages__free(void *p, unsigned long n);

/* Pages still available (a lower bound if frees fragmented them). */
unsigned long pages__available(void);

/* Table pages for pgtable.h from this allocator (identity-mapped). */
struct pgtable_mem;
extern const struct pgtable_mem pages__pgtable_mem;

#endif
