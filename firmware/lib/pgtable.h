/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86-64 4- and 5-level page tables as data: a root plus map, unmap,
 * lookup, independent of the CPU's own CR3. Used for the stage-1 I/O page
 * tables the firmware hands the vIOMMU per PASID (same format as the CPU's:
 * VT-d first-stage / AMD v2 tables).
 *
 * Pure code: table pages come from, and are reached through, the caller's
 * struct pgtable_mem, so host unit tests run it over a plain buffer.
 */
#ifndef FW_PGTABLE_H
#define FW_PGTABLE_H

#include <vsva/types.h>

#define PTE_P		BIT_ULL(0)
#define PTE_W		BIT_ULL(1)
#define PTE_U		BIT_ULL(2)
#define PTE_PWT		BIT_ULL(3)
#define PTE_PCD		BIT_ULL(4)
#define PTE_A		BIT_ULL(5)
#define PTE_D		BIT_ULL(6)
#define PTE_PS		BIT_ULL(7)
#define PTE_G		BIT_ULL(8)
#define PTE_NX		BIT_ULL(63)
#define PTE_ADDR_MASK	0x000ffffffffff000ULL

/* Intermediate entries allow everything; the leaf decides. */
#define PTE_TABLE	(PTE_P | PTE_W | PTE_U)

struct pgtable_mem {
	/* A zeroed, 4 KiB-aligned page: its physical address, or 0. */
	u64 (*alloc)(void *ctx);
	void (*free)(void *ctx, u64 pa);
	/* Where the table page at physical address pa can be accessed. */
	void *(*ptr)(void *ctx, u64 pa);
	void *ctx;
};

struct pgtable {
	u64 root;		/* physical address of the top-level table */
	int levels;		/* 4 (48-bit VA) or 5 (57-bit VA) */
	const struct pgtable_mem *mem;
};

struct pgtable_walk {
	u64 pa;			/* the address va translates to */
	u64 pte;		/* the leaf entry */
	u64 page_size;		/* 4 KiB, 2 MiB or 1 GiB */
};

/* Allocates an empty root; 0, -EINVAL or -ENOMEM. */
int pgtable__init(struct pgtable *pt, int levels,
		  const struct pgtable_mem *mem);
/* Frees every table page (not the pages mapped). */
void pgtable__destroy(struct pgtable *pt);

/*
 * Maps one page of page_size (4 KiB, 2 MiB or 1 GiB) at va to pa. flags are
 * PTE_* bits other than PTE_P (always set) and PTE_PS (set for large pages).
 * -EINVAL for a bad size, alignment, non-canonical va or flags; -EEXIST if
 * any part of the range is already mapped; -ENOMEM.
 */
int pgtable__map_page(struct pgtable *pt, u64 va, u64 pa, u64 page_size,
		      u64 flags);
/* Maps [va, va + len) to [pa, pa + len) with 4 KiB pages; all or nothing. */
int pgtable__map(struct pgtable *pt, u64 va, u64 pa, u64 len, u64 flags);

/*
 * Unmaps [va, va + len) (4 KiB aligned). Holes are fine. A large page only
 * partly inside the range is -EINVAL (no splitting), and nothing after it is
 * unmapped. Table pages are kept until pgtable__destroy().
 */
int pgtable__unmap(struct pgtable *pt, u64 va, u64 len);

/* Translates va; 0, or -ENOENT if unmapped, -EINVAL if non-canonical. */
int pgtable__lookup(const struct pgtable *pt, u64 va,
		    struct pgtable_walk *walk);

#endif
