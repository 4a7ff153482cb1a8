// SPDX-License-Identifier: GPL-2.0
/*
 * The firmware's x86-64 page-table builder (firmware/lib/pgtable.c), run over
 * a plain buffer standing in for guest RAM. Entries are checked against the
 * x86 format itself, not only through pgtable__lookup().
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>

#include "firmware/lib/pgtable.c"

#define ARENA_PAGES	64
#define ARENA_BASE	0x40000000ULL	/* where the arena "is" in RAM */

struct arena {
	u8 *mem;
	int limit;		/* pages that may be handed out */
	int used;
	int freed;
	bool live[ARENA_PAGES];
};

static u64 arena_alloc(void *ctx)
{
	struct arena *a = ctx;

	if (a->used >= a->limit)
		return 0;
	a->live[a->used] = true;
	return ARENA_BASE + (u64)a->used++ * 4096;
}

static void arena_free(void *ctx, u64 pa)
{
	struct arena *a = ctx;
	u64 i = (pa - ARENA_BASE) / 4096;

	cr_assert(pa >= ARENA_BASE && i < ARENA_PAGES && !(pa & 0xfff),
		  "free of %#llx", (unsigned long long)pa);
	cr_assert(a->live[i], "double free of page %llu",
		  (unsigned long long)i);
	a->live[i] = false;
	a->freed++;
}

static void *arena_ptr(void *ctx, u64 pa)
{
	struct arena *a = ctx;

	cr_assert(pa >= ARENA_BASE && pa < ARENA_BASE + ARENA_PAGES * 4096,
		  "table address %#llx outside the arena",
		  (unsigned long long)pa);
	return a->mem + (pa - ARENA_BASE);
}

static struct arena arena;
static struct pgtable_mem mem = {
	.alloc = arena_alloc, .free = arena_free, .ptr = arena_ptr,
	.ctx = &arena,
};

static void setup(void)
{
	arena = (struct arena){ .limit = ARENA_PAGES };
	arena.mem = aligned_alloc(4096, ARENA_PAGES * 4096);
	cr_assert_not_null(arena.mem);
	memset(arena.mem, 0, ARENA_PAGES * 4096);
}

static void teardown(void)
{
	free(arena.mem);
}

/* Entry `idx` of the table at physical address pa. */
static u64 entry(u64 pa, unsigned int idx)
{
	return ((u64 *)arena_ptr(&arena, pa & PTE_ADDR_MASK))[idx];
}

static void init(struct pgtable *pt, int levels)
{
	cr_assert_eq(pgtable__init(pt, levels, &mem), 0);
	cr_assert_eq(arena.used, 1);
}

TestSuite(fw_pgtable, .init = setup, .fini = teardown);

Test(fw_pgtable, four_level_4k_entry_format)
{
	/* va 0x7f12_3456_7000: PML4 254, PDPT 72, PD 418, PT 359 */
	u64 va = 0x7f1234567000ULL, pa = 0x12345000ULL, e;
	struct pgtable pt;

	init(&pt, 4);
	cr_assert_eq(pgtable__map_page(&pt, va, pa, SZ_4K, PTE_W | PTE_U |
				       PTE_NX), 0);
	cr_assert_eq(arena.used, 4, "root + PDPT + PD + PT");
	e = entry(pt.root, 254);
	cr_assert_eq(e & ~PTE_ADDR_MASK, PTE_P | PTE_W | PTE_U);
	e = entry(e, 72);
	cr_assert_eq(e & ~PTE_ADDR_MASK, PTE_P | PTE_W | PTE_U);
	e = entry(e, 418);
	cr_assert_eq(e & ~PTE_ADDR_MASK, PTE_P | PTE_W | PTE_U);
	e = entry(e, 359);
	cr_assert_eq(e, pa | PTE_P | PTE_W | PTE_U | PTE_NX);
}

Test(fw_pgtable, lookup_translates_with_offset)
{
	struct pgtable pt;
	struct pgtable_walk w;

	init(&pt, 4);
	cr_assert_eq(pgtable__map_page(&pt, 0x200000, 0xabc000, SZ_4K,
				       PTE_W), 0);
	cr_assert_eq(pgtable__lookup(&pt, 0x200123, &w), 0);
	cr_assert_eq(w.pa, 0xabc123);
	cr_assert_eq(w.page_size, SZ_4K);
	cr_assert_eq(w.pte, 0xabc000 | PTE_P | PTE_W);
	cr_assert_eq(pgtable__lookup(&pt, 0x201000, &w), -ENOENT);
	cr_assert_eq(pgtable__lookup(&pt, 0x1ff000, &w), -ENOENT);
}

Test(fw_pgtable, neighbours_share_tables)
{
	struct pgtable pt;

	init(&pt, 4);
	cr_assert_eq(pgtable__map(&pt, 0x400000, 0x800000, 16 * SZ_4K, 0), 0);
	cr_assert_eq(arena.used, 4);
	/* Next 2 MiB region: one more page table only. */
	cr_assert_eq(pgtable__map_page(&pt, 0x600000, 0, SZ_4K, 0), 0);
	cr_assert_eq(arena.used, 5);
}

Test(fw_pgtable, five_level_reaches_57_bits)
{
	u64 va = 0x00ff000000001000ULL;	/* bit 55: PML5 index 255 */
	struct pgtable pt4, pt5;
	struct pgtable_walk w;

	init(&pt5, 5);
	cr_assert_eq(pgtable__map_page(&pt5, va, 0x5000, SZ_4K, 0), 0);
	cr_assert_eq(arena.used, 5);
	cr_assert(entry(pt5.root, 255) & PTE_P);
	cr_assert_eq(pgtable__lookup(&pt5, va, &w), 0);
	cr_assert_eq(w.pa, 0x5000);

	cr_assert_eq(pgtable__init(&pt4, 4, &mem), 0);
	cr_assert_eq(pgtable__map_page(&pt4, va, 0x5000, SZ_4K, 0), -EINVAL,
		     "not canonical with 48-bit addresses");
	cr_assert_eq(pgtable__init(&pt4, 3, &mem), -EINVAL);
}

Test(fw_pgtable, canonical_high_half)
{
	u64 va = 0xffff800000000000ULL;	/* PML4 index 256 */
	struct pgtable pt;
	struct pgtable_walk w;

	init(&pt, 4);
	cr_assert_eq(pgtable__map_page(&pt, va, 0x7000, SZ_4K, 0), 0);
	cr_assert(entry(pt.root, 256) & PTE_P);
	cr_assert_eq(pgtable__lookup(&pt, va + 0x10, &w), 0);
	cr_assert_eq(w.pa, 0x7010);
	cr_assert_eq(pgtable__lookup(&pt, 0x0000800000000000ULL, &w), -EINVAL);
	cr_assert_eq(pgtable__map_page(&pt, 0x0000800000000000ULL, 0, SZ_4K,
				       0), -EINVAL);
	/* An unmap spanning the hole must not touch the high half. */
	cr_assert_eq(pgtable__unmap(&pt, 0x00007ffffffff000ULL,
				    0x1000 + 0xffff800000001000ULL -
				    0x0000800000000000ULL), -EINVAL);
	cr_assert_eq(pgtable__lookup(&pt, va, &w), 0);
}

Test(fw_pgtable, large_pages)
{
	struct pgtable pt;
	struct pgtable_walk w;
	u64 e;

	init(&pt, 4);
	cr_assert_eq(pgtable__map_page(&pt, SZ_1G, 2 * SZ_1G, SZ_1G, PTE_W), 0);
	cr_assert_eq(pgtable__map_page(&pt, 4 * SZ_2M, 6 * SZ_2M, SZ_2M, 0), 0);
	cr_assert_eq(arena.used, 3, "root + PDPT + one PD");
	e = entry(entry(pt.root, 0), 1);
	cr_assert_eq(e, 2 * SZ_1G | PTE_P | PTE_W | PTE_PS);
	e = entry(entry(entry(pt.root, 0), 0), 4);
	cr_assert_eq(e, 6 * SZ_2M | PTE_P | PTE_PS);

	cr_assert_eq(pgtable__lookup(&pt, SZ_1G + 0x12345678, &w), 0);
	cr_assert_eq(w.pa, 2 * SZ_1G + 0x12345678);
	cr_assert_eq(w.page_size, SZ_1G);
	cr_assert_eq(pgtable__lookup(&pt, 4 * SZ_2M + 0x1234, &w), 0);
	cr_assert_eq(w.pa, 6 * SZ_2M + 0x1234);
	cr_assert_eq(w.page_size, SZ_2M);

	/* Inside a large page: no 4 KiB mapping, no partial unmap. */
	cr_assert_eq(pgtable__map_page(&pt, 4 * SZ_2M + SZ_4K, 0, SZ_4K, 0),
		     -EEXIST);
	cr_assert_eq(pgtable__unmap(&pt, 4 * SZ_2M, SZ_4K), -EINVAL);
	cr_assert_eq(pgtable__unmap(&pt, 4 * SZ_2M, SZ_2M), 0);
	cr_assert_eq(pgtable__lookup(&pt, 4 * SZ_2M, &w), -ENOENT);
	cr_assert_eq(pgtable__unmap(&pt, SZ_1G, SZ_1G), 0);
	cr_assert_eq(pgtable__lookup(&pt, SZ_1G, &w), -ENOENT);
}

Test(fw_pgtable, rejects_bad_arguments)
{
	struct pgtable pt;

	init(&pt, 4);
	cr_assert_eq(pgtable__map_page(&pt, 0x1001, 0, SZ_4K, 0), -EINVAL);
	cr_assert_eq(pgtable__map_page(&pt, 0, 0x800, SZ_4K, 0), -EINVAL);
	cr_assert_eq(pgtable__map_page(&pt, SZ_4K, 0, SZ_2M, 0), -EINVAL);
	cr_assert_eq(pgtable__map_page(&pt, 0, 0, 8192, 0), -EINVAL);
	cr_assert_eq(pgtable__map_page(&pt, 0, 0, SZ_4K, 0x1000), -EINVAL,
		     "address bits in flags");
	cr_assert_eq(pgtable__map_page(&pt, 0, 0, SZ_4K, PTE_PS), -EINVAL);
	cr_assert_eq(pgtable__map_page(&pt, 0, 1ULL << 52, SZ_4K, 0), -EINVAL);
	cr_assert_eq(pgtable__map(&pt, 0, 0, 0x800, 0), -EINVAL);
	cr_assert_eq(pgtable__unmap(&pt, 0x800, SZ_4K), -EINVAL);
	cr_assert_eq(arena.used, 1, "nothing allocated for bad requests");
}

Test(fw_pgtable, double_map_and_rollback)
{
	struct pgtable pt;
	struct pgtable_walk w;

	init(&pt, 4);
	cr_assert_eq(pgtable__map_page(&pt, 0x5000, 0x9000, SZ_4K, 0), 0);
	cr_assert_eq(pgtable__map_page(&pt, 0x5000, 0xa000, SZ_4K, 0), -EEXIST);
	/* 0x1000..0x5fff overlaps at 0x5000: all or nothing. */
	cr_assert_eq(pgtable__map(&pt, 0x1000, 0x100000, 5 * SZ_4K, 0),
		     -EEXIST);
	for (u64 va = 0x1000; va < 0x5000; va += SZ_4K)
		cr_assert_eq(pgtable__lookup(&pt, va, &w), -ENOENT);
	cr_assert_eq(pgtable__lookup(&pt, 0x5000, &w), 0);
	cr_assert_eq(w.pa, 0x9000, "the earlier mapping survives");
}

Test(fw_pgtable, unmap_with_holes)
{
	struct pgtable pt;
	struct pgtable_walk w;

	init(&pt, 4);
	cr_assert_eq(pgtable__map(&pt, 0x3000, 0x3000, 2 * SZ_4K, 0), 0);
	cr_assert_eq(pgtable__map_page(&pt, SZ_1G + SZ_4K, 0, SZ_4K, 0), 0);
	cr_assert_eq(pgtable__unmap(&pt, 0, SZ_1G + 2 * SZ_4K), 0);
	cr_assert_eq(pgtable__lookup(&pt, 0x3000, &w), -ENOENT);
	cr_assert_eq(pgtable__lookup(&pt, 0x4000, &w), -ENOENT);
	cr_assert_eq(pgtable__lookup(&pt, SZ_1G + SZ_4K, &w), -ENOENT);
	cr_assert_eq(pgtable__unmap(&pt, 0x3000, SZ_4K), 0, "already gone");
	/* Remapping reuses the kept tables. */
	int used = arena.used;
	cr_assert_eq(pgtable__map_page(&pt, 0x3000, 0x8000, SZ_4K, 0), 0);
	cr_assert_eq(arena.used, used);
}

Test(fw_pgtable, out_of_memory)
{
	struct pgtable pt;

	init(&pt, 4);
	arena.limit = 3;	/* root + 2: the page table does not fit */
	cr_assert_eq(pgtable__map_page(&pt, 0, 0, SZ_4K, 0), -ENOMEM);
	cr_assert_eq(pgtable__map_page(&pt, 0, 0, SZ_2M, 0), 0,
		     "a 2 MiB page needs no page table");
}

Test(fw_pgtable, destroy_frees_every_table)
{
	struct pgtable pt;

	init(&pt, 5);
	cr_assert_eq(pgtable__map(&pt, 0, 0, 4 * SZ_4K, 0), 0);
	cr_assert_eq(pgtable__map_page(&pt, SZ_1G, 0, SZ_1G, 0), 0);
	cr_assert_eq(pgtable__map_page(&pt, 0x00f0000000000000ULL, 0, SZ_2M,
				       0), 0);
	cr_assert_eq(pgtable__map_page(&pt, 0xfff0000000000000ULL, 0, SZ_4K,
				       0), 0);
	pgtable__destroy(&pt);
	cr_assert_eq(arena.freed, arena.used);
	cr_assert_eq(pt.root, 0);
}
