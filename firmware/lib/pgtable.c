// SPDX-License-Identifier: GPL-2.0
/*
 * Level numbering: 1 is the 4 KiB page table, 2 the page directory (2 MiB
 * leaves), 3 the PDPT (1 GiB leaves), 4 the PML4, 5 the PML5.
 */
#include <errno.h>

#include "pgtable.h"

#define PTE_ENTRIES	512
#define FLAGS_ALLOWED	(~PTE_ADDR_MASK & ~PTE_PS)

static unsigned int level_shift(int level)
{
	return 12 + 9 * (level - 1);
}

static u64 level_size(int level)
{
	return 1ULL << level_shift(level);
}

static unsigned int level_index(u64 va, int level)
{
	return (va >> level_shift(level)) & (PTE_ENTRIES - 1);
}

static u64 *table(const struct pgtable *pt, u64 pa)
{
	return pt->mem->ptr(pt->mem->ctx, pa & PTE_ADDR_MASK);
}

static bool canonical(const struct pgtable *pt, u64 va)
{
	unsigned int bits = level_shift(pt->levels + 1);
	s64 sva = (s64)va;

	/* Bits 63..bits-1 must all equal bit bits-1. */
	return (sva >> (bits - 1)) == 0 || (sva >> (bits - 1)) == -1;
}

/* PS is only defined in the PD and PDPT; we never set it higher up. */
static bool is_leaf(u64 pte, int level)
{
	return level == 1 || (level <= 3 && (pte & PTE_PS));
}

int pgtable__init(struct pgtable *pt, int levels,
		  const struct pgtable_mem *mem)
{
	if (levels != 4 && levels != 5)
		return -EINVAL;
	pt->levels = levels;
	pt->mem = mem;
	pt->root = mem->alloc(mem->ctx);
	return pt->root ? 0 : -ENOMEM;
}

static void free_table(struct pgtable *pt, u64 pa, int level)
{
	u64 *t = table(pt, pa);

	for (int i = 0; level > 1 && i < PTE_ENTRIES; i++)
		if ((t[i] & PTE_P) && !is_leaf(t[i], level))
			free_table(pt, t[i], level - 1);
	pt->mem->free(pt->mem->ctx, pa & PTE_ADDR_MASK);
}

void pgtable__destroy(struct pgtable *pt)
{
	if (pt->root)
		free_table(pt, pt->root, pt->levels);
	pt->root = 0;
}

int pgtable__map_page(struct pgtable *pt, u64 va, u64 pa, u64 page_size,
		      u64 flags)
{
	int leaf_level, level;
	u64 *t;

	if (page_size == level_size(1))
		leaf_level = 1;
	else if (page_size == level_size(2))
		leaf_level = 2;
	else if (page_size == level_size(3))
		leaf_level = 3;
	else
		return -EINVAL;
	if (!IS_ALIGNED(va, page_size) || !IS_ALIGNED(pa, page_size) ||
	    (pa & ~PTE_ADDR_MASK) || !canonical(pt, va) ||
	    (flags & ~FLAGS_ALLOWED))
		return -EINVAL;

	t = table(pt, pt->root);
	for (level = pt->levels; level > leaf_level; level--) {
		u64 *e = &t[level_index(va, level)];

		if (!(*e & PTE_P)) {
			u64 next = pt->mem->alloc(pt->mem->ctx);

			if (!next)
				return -ENOMEM;
			*e = next | PTE_TABLE;
		} else if (is_leaf(*e, level)) {
			return -EEXIST;
		}
		t = table(pt, *e);
	}
	t += level_index(va, leaf_level);
	if (*t & PTE_P)
		return -EEXIST;
	*t = pa | flags | PTE_P | (leaf_level > 1 ? PTE_PS : 0);
	return 0;
}

int pgtable__map(struct pgtable *pt, u64 va, u64 pa, u64 len, u64 flags)
{
	u64 done;
	int ret = 0;

	if (!IS_ALIGNED(len, level_size(1)) || va + len < va)
		return -EINVAL;
	for (done = 0; done < len; done += level_size(1)) {
		ret = pgtable__map_page(pt, va + done, pa + done,
					level_size(1), flags);
		if (ret)
			break;
	}
	if (ret && done)
		pgtable__unmap(pt, va, done);
	return ret;
}

int pgtable__unmap(struct pgtable *pt, u64 va, u64 len)
{
	u64 end = va + len;

	if (!len)
		return 0;
	/* Both ends canonical, in the same half: never walk the hole. */
	if (!IS_ALIGNED(va, level_size(1)) || !IS_ALIGNED(len, level_size(1)) ||
	    end < va || !canonical(pt, va) || !canonical(pt, end - 1) ||
	    ((s64)va < 0) != ((s64)(end - 1) < 0))
		return -EINVAL;
	while (va < end) {
		u64 *t = table(pt, pt->root), *e = NULL, step = 0, size;
		int level;

		for (level = pt->levels; level >= 1; level--) {
			size = level_size(level);
			e = &t[level_index(va, level)];
			step = size - (va & (size - 1));
			if (!(*e & PTE_P) || is_leaf(*e, level))
				break;
			t = table(pt, *e);
		}
		if (*e & PTE_P) {
			/* A leaf: it must lie wholly inside the range. */
			if (step != size || end - va < step)
				return -EINVAL;
			*e = 0;
		}
		if (end - va <= step)
			break;
		va += step;
	}
	return 0;
}

int pgtable__lookup(const struct pgtable *pt, u64 va,
		    struct pgtable_walk *walk)
{
	u64 *t = table(pt, pt->root);

	if (!canonical(pt, va))
		return -EINVAL;
	for (int level = pt->levels; level >= 1; level--) {
		u64 e = t[level_index(va, level)];

		if (!(e & PTE_P))
			return -ENOENT;
		if (is_leaf(e, level)) {
			u64 size = level_size(level);

			walk->pte = e;
			walk->page_size = size;
			walk->pa = (e & PTE_ADDR_MASK & ~(size - 1)) |
				   (va & (size - 1));
			return 0;
		}
		t = table(pt, e);
	}
	return -ENOENT;
}
