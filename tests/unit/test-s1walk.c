// SPDX-License-Identifier: GPL-2.0
/*
 * The stage-1 walker (viommu/s1walk.c) over tables built by hand in a
 * malloc'd guest RAM: two regions, [0, 4 MiB) for tables and small pages
 * and [HI_GPA, 5 GiB) -- the last 2 MiB of the 1 GiB page at 4 GiB -- so
 * that 1 GiB and 2 MiB offsets can be checked to the last byte.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vsva/s1walk.h>

#define LOW_SIZE	(4 * SZ_1M)
#define HI_GPA		0x13FE00000ULL
#define HI_SIZE		SZ_2M
#define TABLES_GPA	0x1000ULL	/* tables come from [TABLES_GPA, 1 MiB) */
#define TABLES_END	SZ_1M
#define GAP_GPA		0x10000000ULL	/* 256 MiB: not RAM */

#define ACC_W	1
#define ACC_X	2
#define ACC_S	4	/* supervisor */

#define AD_BITS	(S1_PTE_A | S1_PTE_D | S1_PTE_EA)
/* ignored by translation: 62:52 (incl. protection keys), 11:9, PCD/PWT */
#define IGN_BITS	(0x7ff0000000000000ULL | 0xe00ULL | 0x18ULL)
#define U(x)	((unsigned long long)(x))

struct env {
	struct guest_mem mem;
	u8 *low;
	u8 *hi;
	u64 next;		/* next free table page */
	struct s1_desc d;
};

static u64 env_table(struct env *e)
{
	u64 t = e->next;

	cr_assert(t < TABLES_END, "out of table pages");
	e->next += SZ_4K;
	return t;
}

static void env_init(struct env *e, int levels)
{
	memset(e, 0, sizeof(*e));
	e->low = aligned_alloc(SZ_4K, LOW_SIZE);
	e->hi = aligned_alloc(SZ_4K, HI_SIZE);
	cr_assert(e->low && e->hi);
	memset(e->low, 0, LOW_SIZE);
	memset(e->hi, 0, HI_SIZE);
	e->mem.nr_regions = 2;
	e->mem.regions[0] = (struct guest_mem_region){ 0, LOW_SIZE, e->low };
	e->mem.regions[1] = (struct guest_mem_region){ HI_GPA, HI_SIZE, e->hi };
	e->mem.ram_size = LOW_SIZE + HI_SIZE;
	e->next = TABLES_GPA;
	e->d.root_gpa = env_table(e);
	e->d.levels = levels;
	e->d.flags = S1_F_AD;
}

static void env_fini(struct env *e)
{
	free(e->low);
	free(e->hi);
}

static u64 *pte_at(struct env *e, u64 gpa)
{
	u64 *p = guest_mem__ptr(&e->mem, gpa, 8);

	cr_assert_not_null(p, "entry %#llx not RAM", U(gpa));
	return p;
}

static unsigned int idx_of(u64 va, int level)
{
	return (va >> (12 + 9 * (level - 1))) & 511;
}

/*
 * Map @va to @pa with the leaf at @leaf_level (1 = 4K, 2 = 2M, 3 = 1G).
 * New tables get P|RW|US; the leaf gets P|@bits (and PS if large).  The
 * entry GPAs on the path, top-down, go to @path (if not NULL); returns
 * their count.
 */
static int env_map(struct env *e, u64 va, u64 pa, int leaf_level, u64 bits,
		   u64 *path)
{
	u64 table = e->d.root_gpa;
	int n = 0;

	for (int l = e->d.levels; l > leaf_level; l--) {
		u64 gpa = table + idx_of(va, l) * 8;
		u64 *p = pte_at(e, gpa);

		if (!(*p & S1_PTE_P))
			*p = env_table(e) | S1_PTE_P | S1_PTE_RW | S1_PTE_US;
		if (path)
			path[n] = gpa;
		n++;
		table = *p & S1_PTE_ADDR;
	}
	if (path)
		path[n] = table + idx_of(va, leaf_level) * 8;
	*pte_at(e, table + idx_of(va, leaf_level) * 8) =
		pa | bits | S1_PTE_P | (leaf_level > 1 ? S1_PTE_PS : 0);
	return n + 1;
}

static int walk(struct env *e, u64 va, unsigned int acc, struct s1_result *r)
{
	struct s1_access a = {
		.addr = va,
		.write = acc & ACC_W,
		.exec = acc & ACC_X,
		.priv = acc & ACC_S,
	};

	return s1__walk(&e->mem, &e->d, &a, r);
}

#define RWU	(S1_PTE_RW | S1_PTE_US)

static void expect_ok(struct env *e, u64 va, unsigned int acc, u64 gpa,
		      u64 size, int level)
{
	struct s1_result r;
	int ret = walk(e, va, acc, &r);

	cr_assert_eq(ret, 0, "va %#llx acc %u: %d %s", U(va), acc, ret,
		     s1__fault_name(r.fault));
	cr_assert_eq(r.fault, S1_OK);
	cr_assert_eq(r.gpa, gpa, "va %#llx: gpa %#llx want %#llx", U(va),
		     U(r.gpa), U(gpa));
	cr_assert_eq(r.page_size, size, "va %#llx: size %#llx", U(va),
		     U(r.page_size));
	cr_assert_eq(r.level, level, "va %#llx: level %d", U(va), r.level);
}

static void expect_fault(struct env *e, u64 va, unsigned int acc,
			 enum s1_fault f, int level, u64 pte_gpa)
{
	struct s1_result r;
	int ret = walk(e, va, acc, &r);

	cr_assert_eq(ret, -EFAULT, "va %#llx acc %u: ret %d (%s), want %s",
		     U(va), acc, ret, s1__fault_name(r.fault),
		     s1__fault_name(f));
	cr_assert_eq(r.fault, f, "va %#llx acc %u: %s, want %s", U(va), acc,
		     s1__fault_name(r.fault), s1__fault_name(f));
	cr_assert_eq(r.level, level, "va %#llx %s: level %d want %d", U(va),
		     s1__fault_name(f), r.level, level);
	if (level)
		cr_assert_eq(r.pte_gpa, pte_gpa, "%s: pte_gpa %#llx want %#llx",
			     s1__fault_name(f), U(r.pte_gpa), U(pte_gpa));
	cr_assert_eq(r.gpa, 0);
	cr_assert_eq(r.page_size, 0);
}

/* ---- translations ---------------------------------------------------- */

Test(s1walk, page_4k_4level)
{
	struct env e;
	struct s1_result r;
	u64 path[5];
	u64 va = 0x12345000ULL;

	env_init(&e, 4);
	cr_assert_eq(env_map(&e, va, 0x200000, 1, RWU, path), 4);
	cr_assert_eq(walk(&e, va + 0x678, 0, &r), 0);
	cr_assert_eq(r.gpa, 0x200678);
	cr_assert_eq(r.page_size, SZ_4K);
	cr_assert_eq(r.level, 1);
	cr_assert_eq(r.pte_gpa, path[3]);
	cr_assert_eq(r.table_gpa, path[3] & ~0xfffULL);
	cr_assert(r.writable && r.user && !r.nx);
	cr_assert(r.upper_writable && r.upper_user && !r.upper_nx);
	/* the neighbouring page is a different PTE, not mapped */
	expect_fault(&e, va + SZ_4K, 0, S1_FAULT_NOT_PRESENT, 1, path[3] + 8);
	env_fini(&e);
}

Test(s1walk, page_4k_5level)
{
	struct env e;
	u64 path[5];
	u64 va = 0x00abcdef12345000ULL;	/* uses bits 55:48: PML5 index */

	env_init(&e, 5);
	cr_assert_eq(env_map(&e, va, 0x201000, 1, RWU, path), 5);
	cr_assert_eq(path[0], e.d.root_gpa + idx_of(va, 5) * 8);
	expect_ok(&e, va + 0xfff, ACC_W, 0x201fff, SZ_4K, 1);
	/* same low 48 bits, other PML5 slot: not mapped there */
	expect_fault(&e, va & ((1ULL << 48) - 1), 0, S1_FAULT_NOT_PRESENT, 5,
		     e.d.root_gpa);
	env_map(&e, va & ((1ULL << 48) - 1), 0x300000, 1, RWU, NULL);
	expect_ok(&e, va & ((1ULL << 48) - 1), 0, 0x300000, SZ_4K, 1);
	expect_ok(&e, va, 0, 0x201000, SZ_4K, 1);
	env_fini(&e);
}

Test(s1walk, index_extremes)
{
	struct env e;

	env_init(&e, 4);
	env_map(&e, 0x00007ffffffff000ULL, 0x3ff000, 1, RWU, NULL);
	env_map(&e, 0xfffffffffffff000ULL, 0x3fe000, 1, RWU, NULL);
	env_map(&e, 0, 0x3fd000, 1, RWU, NULL);
	expect_ok(&e, 0x00007fffffffffffULL, 0, 0x3fffff, SZ_4K, 1);
	expect_ok(&e, 0xffffffffffffffffULL, 0, 0x3fefff, SZ_4K, 1);
	expect_ok(&e, 0, 0, 0x3fd000, SZ_4K, 1);
	env_fini(&e);

	env_init(&e, 5);
	env_map(&e, 0x00fffffffffff000ULL, 0x3ff000, 1, RWU, NULL);
	env_map(&e, 0xff00000000000000ULL, 0x3fe000, 1, RWU, NULL);
	env_map(&e, 0xfffffffffffff000ULL, 0x3fd000, 1, RWU, NULL);
	expect_ok(&e, 0x00ffffffffffffffULL, 0, 0x3fffff, SZ_4K, 1);
	expect_ok(&e, 0xff00000000000abcULL, 0, 0x3feabc, SZ_4K, 1);
	expect_ok(&e, 0xfffffffffffff001ULL, 0, 0x3fd001, SZ_4K, 1);
	env_fini(&e);
}

Test(s1walk, page_2m)
{
	struct env e;
	struct s1_result r;
	u64 path[5];
	u64 va = 0x40600000ULL;

	for (int levels = 4; levels <= 5; levels++) {
		env_init(&e, levels);
		cr_assert_eq(env_map(&e, va, 0x200000, 2, RWU, path),
			     levels - 1);
		expect_ok(&e, va, 0, 0x200000, SZ_2M, 2);
		expect_ok(&e, va + 0x1abcde, 0, 0x3abcde, SZ_2M, 2);
		expect_ok(&e, va + 0x1fffff, 0, 0x3fffff, SZ_2M, 2);
		cr_assert_eq(walk(&e, va + 0x12345, 0, &r), 0);
		cr_assert_eq(r.pte_gpa, path[levels - 2]);
		env_fini(&e);
	}
}

Test(s1walk, page_1g)
{
	struct env e;
	u64 va = 0x8040000000ULL;	/* PML4 1, PDPT 1 */

	for (int levels = 4; levels <= 5; levels++) {
		env_init(&e, levels);
		cr_assert_eq(env_map(&e, va, 0x100000000ULL, 3, RWU, NULL),
			     levels - 2);
		expect_ok(&e, va + 0x3fe12345, ACC_W, 0x13fe12345ULL, SZ_1G,
			  3);
		expect_ok(&e, va + 0x3fffffff, 0, 0x13fffffffULL, SZ_1G, 3);
		expect_ok(&e, va + 0x3fe00000, 0, HI_GPA, SZ_1G, 3);
		env_fini(&e);
	}
}

/* Bit 12 of a large leaf is PAT, not address; bits above size are. */
Test(s1walk, large_page_offset_arithmetic)
{
	struct env e;
	u64 pat = BIT_ULL(12);

	env_init(&e, 4);
	env_map(&e, 0x40000000ULL, 0x200000 | pat, 2, RWU, NULL);
	expect_ok(&e, 0x40000000ULL + 0x1234, 0, 0x201234, SZ_2M, 2);
	expect_ok(&e, 0x40000000ULL + 0x1fffff, 0, 0x3fffff, SZ_2M, 2);
	env_map(&e, 0x8000000000ULL, 0x100000000ULL | pat, 3, RWU, NULL);
	expect_ok(&e, 0x8000000000ULL + 0x3fe00fff, 0, HI_GPA + 0xfff, SZ_1G,
		  3);
	/* bit 7 of a PTE is PAT too: not a reserved bit, not a page size */
	env_map(&e, 0x5000, 0x3fc000 | S1_PTE_PS, 1, RWU, NULL);
	expect_ok(&e, 0x5abc, 0, 0x3fcabc, SZ_4K, 1);
	/* 2M page above 4 GiB, at the last 2 MiB of RAM */
	env_map(&e, 0xc0000000ULL, HI_GPA, 2, RWU, NULL);
	expect_ok(&e, 0xc0000000ULL + 0x1ffff8, 0, HI_GPA + 0x1ffff8, SZ_2M, 2);
	env_fini(&e);
}

/* ---- canonical addresses ----------------------------------------------- */

Test(s1walk, canonical_4level)
{
	static const u64 bad[] = {
		0x0000800000000000ULL, 0x0001000000000000ULL,
		0xffff7fffffffffffULL, 0x8000000000000000ULL,
		0x7fffffffffffffffULL, 0x00ff000000000000ULL,
		0xfffe800000000000ULL,
	};
	struct env e;

	env_init(&e, 4);
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++)
		expect_fault(&e, bad[i], 0, S1_FAULT_NON_CANONICAL, 0, 0);
	/* canonical but unmapped: the walk starts (PML4 index 256 / 255) */
	expect_fault(&e, 0xffff800000000000ULL, 0, S1_FAULT_NOT_PRESENT, 4,
		     e.d.root_gpa + 256 * 8);
	expect_fault(&e, 0x00007fffffffffffULL, 0, S1_FAULT_NOT_PRESENT, 4,
		     e.d.root_gpa + 255 * 8);
	env_map(&e, 0xffff800000000000ULL, 0x100000, 1, RWU, NULL);
	expect_ok(&e, 0xffff800000000010ULL, 0, 0x100010, SZ_4K, 1);
	env_fini(&e);
}

Test(s1walk, canonical_5level)
{
	static const u64 bad[] = {
		0x0100000000000000ULL, 0xfeffffffffffffffULL,
		0x8000000000000000ULL, 0x7f00000000000000ULL,
		0xfe00000000000000ULL, 0x0200000000000000ULL,
	};
	struct env e;

	env_init(&e, 5);
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++)
		expect_fault(&e, bad[i], 0, S1_FAULT_NON_CANONICAL, 0, 0);
	/* non-canonical for 4 levels, fine for 5 */
	env_map(&e, 0x0000800000000000ULL, 0x101000, 1, RWU, NULL);
	expect_ok(&e, 0x0000800000000123ULL, 0, 0x101123, SZ_4K, 1);
	env_map(&e, 0xff80000000000000ULL, 0x102000, 1, RWU, NULL);
	expect_ok(&e, 0xff80000000000456ULL, 0, 0x102456, SZ_4K, 1);
	env_map(&e, 0x00fffffffffff000ULL, 0x103000, 1, RWU, NULL);
	expect_ok(&e, 0x00ffffffffffffffULL, 0, 0x103fff, SZ_4K, 1);
	expect_fault(&e, 0xffff800000000000ULL, 0, S1_FAULT_NOT_PRESENT, 5,
		     e.d.root_gpa + 511 * 8);
	/* bit 55 is PML5 index, not sign */
	expect_fault(&e, 0x0080000000000000ULL, 0, S1_FAULT_NOT_PRESENT, 5,
		     e.d.root_gpa + 128 * 8);
	env_fini(&e);
}

/* ---- permissions ------------------------------------------------------- */

Test(s1walk, user_and_supervisor)
{
	struct env e;
	u64 path[5];
	u64 va = 0x7000;

	env_init(&e, 4);
	e.d.flags |= S1_F_SRE;
	env_map(&e, va, 0x104000, 1, S1_PTE_RW, path);	/* supervisor page */
	expect_fault(&e, va, 0, S1_FAULT_USER, 1, path[3]);
	expect_fault(&e, va, ACC_W, S1_FAULT_USER, 1, path[3]);
	expect_ok(&e, va, ACC_S, 0x104000, SZ_4K, 1);
	expect_ok(&e, va, ACC_S | ACC_W, 0x104000, SZ_4K, 1);
	/* U/S clear at the top only is enough to refuse users */
	*pte_at(&e, path[3]) |= S1_PTE_US;
	expect_ok(&e, va, 0, 0x104000, SZ_4K, 1);
	*pte_at(&e, path[0]) &= ~S1_PTE_US;
	expect_fault(&e, va, 0, S1_FAULT_USER, 1, path[3]);
	/* no SMAP: supervisor may touch user pages */
	*pte_at(&e, path[0]) |= S1_PTE_US;
	expect_ok(&e, va, ACC_S | ACC_W, 0x104000, SZ_4K, 1);
	/* SRE clear: every supervisor request faults before the walk */
	e.d.flags &= ~S1_F_SRE;
	expect_fault(&e, va, ACC_S, S1_FAULT_SUPERVISOR, 0, 0);
	expect_fault(&e, 0xffff800000000000ULL, ACC_S, S1_FAULT_SUPERVISOR, 0,
		     0);
	expect_ok(&e, va, 0, 0x104000, SZ_4K, 1);
	env_fini(&e);
}

Test(s1walk, write_protect)
{
	struct env e;
	u64 path[5];
	u64 va = 0x40200000ULL;

	env_init(&e, 4);
	e.d.flags |= S1_F_SRE;
	env_map(&e, va, 0x200000, 2, S1_PTE_US, path);	/* read-only 2M */
	expect_ok(&e, va, 0, 0x200000, SZ_2M, 2);
	expect_fault(&e, va, ACC_W, S1_FAULT_WRITE, 2, path[2]);
	/* WPE clear: supervisor writes ignore R/W (and dirty the page) */
	expect_ok(&e, va, ACC_S | ACC_W, 0x200000, SZ_2M, 2);
	cr_assert(*pte_at(&e, path[2]) & S1_PTE_D);
	e.d.flags |= S1_F_WPE;
	expect_fault(&e, va, ACC_S | ACC_W, S1_FAULT_WRITE, 2, path[2]);
	expect_ok(&e, va, ACC_S, 0x200000, SZ_2M, 2);
	/* read-only at the PDPT level only */
	*pte_at(&e, path[2]) |= S1_PTE_RW;
	*pte_at(&e, path[1]) &= ~S1_PTE_RW;
	expect_fault(&e, va, ACC_W, S1_FAULT_WRITE, 2, path[2]);
	*pte_at(&e, path[1]) |= S1_PTE_RW;
	expect_ok(&e, va, ACC_W, 0x200000, SZ_2M, 2);
	env_fini(&e);
}

Test(s1walk, execute_disable)
{
	struct env e;
	struct s1_result r;
	u64 path[5];
	u64 va = 0x9000;

	env_init(&e, 5);
	env_map(&e, va, 0x105000, 1, RWU | S1_PTE_XD, path);
	/* NXE clear: XD is ignored, not reserved */
	expect_ok(&e, va, ACC_X, 0x105000, SZ_4K, 1);
	cr_assert_eq(walk(&e, va, 0, &r), 0);
	cr_assert_not(r.nx);
	e.d.flags |= S1_F_NXE;
	expect_fault(&e, va, ACC_X, S1_FAULT_EXEC, 1, path[4]);
	cr_assert_eq(walk(&e, va, ACC_W, &r), 0);
	cr_assert(r.nx);
	/* XD in the PML5 entry only */
	*pte_at(&e, path[4]) &= ~S1_PTE_XD;
	expect_ok(&e, va, ACC_X, 0x105000, SZ_4K, 1);
	*pte_at(&e, path[0]) |= S1_PTE_XD;
	expect_fault(&e, va, ACC_X, S1_FAULT_EXEC, 1, path[4]);
	env_fini(&e);
}

/* The rules written down independently of the walker's control flow. */
static enum s1_fault perm_model(bool all_rw, bool all_us, bool any_xd,
				unsigned int acc, u32 flags)
{
	bool priv = acc & ACC_S;

	if (priv && !(flags & S1_F_SRE))
		return S1_FAULT_SUPERVISOR;
	if (!priv && !all_us)
		return S1_FAULT_USER;
	if ((acc & ACC_W) && !all_rw && (!priv || (flags & S1_F_WPE)))
		return S1_FAULT_WRITE;
	if ((acc & ACC_X) && any_xd && (flags & S1_F_NXE))
		return S1_FAULT_EXEC;
	return S1_OK;
}

/*
 * Every combination of R/W, U/S and XD on every level of the path, every
 * access kind and every SRE/WPE/NXE setting; checks the fault, the
 * summary bits and the A/D bits left behind.
 */
static void perm_sweep(int levels, int leaf_level)
{
	static const u64 va = 0x00003fc0c0000000ULL;
	u64 size = 1ULL << (12 + 9 * (leaf_level - 1));
	u64 pa = leaf_level == 3 ? 0x100000000ULL :
		 leaf_level == 2 ? 0x200000 : 0x106000;
	u64 off = (size - 1) & 0x3fe12345ULL;
	u64 path[5], base[5], val[5];
	u64 *pp[5];
	char first[256] = "";
	long walks = 0, bad = 0;
	struct env e;
	int n;

	env_init(&e, levels);
	n = env_map(&e, va, pa, leaf_level, 0, path);
	if (leaf_level == 3)
		off |= 0x3fe00000;	/* land in the high region */
	for (int i = 0; i < n; i++) {
		pp[i] = pte_at(&e, path[i]);
		base[i] = *pp[i] & ~(RWU | S1_PTE_XD);
	}

	for (u32 combo = 0; combo < 1U << (3 * n); combo++) {
		bool all_rw = true, all_us = true, any_xd = false;
		bool up_rw = true, up_us = true, up_xd = false;

		for (int i = 0; i < n; i++) {
			u32 b = combo >> (3 * i);

			if (i == n - 1) {
				up_rw = all_rw;
				up_us = all_us;
				up_xd = any_xd;
			}
			val[i] = base[i] | ((b & 1) ? S1_PTE_RW : 0) |
				 ((b & 2) ? S1_PTE_US : 0) |
				 ((b & 4) ? S1_PTE_XD : 0);
			all_rw &= b & 1;
			all_us &= !!(b & 2);
			any_xd |= !!(b & 4);
		}
		for (unsigned int acc = 0; acc < 8; acc++) {
			for (u32 fl = 0; fl < 8; fl++) {
				u32 flags = S1_F_AD |
					    ((fl & 1) ? S1_F_SRE : 0) |
					    ((fl & 2) ? S1_F_WPE : 0) |
					    ((fl & 4) ? S1_F_NXE : 0);
				enum s1_fault want = perm_model(all_rw, all_us,
							any_xd, acc, flags);
				struct s1_result r;
				bool ok;
				int ret;

				for (int i = 0; i < n; i++)
					*pp[i] = val[i];
				e.d.flags = flags;
				ret = walk(&e, va + off, acc, &r);
				walks++;
				ok = r.fault == want &&
				     ret == (want ? -EFAULT : 0);
				if (ok && want != S1_FAULT_SUPERVISOR)
					ok = r.level == leaf_level &&
					     r.pte_gpa == path[n - 1] &&
					     r.table_gpa ==
						(path[n - 1] & ~0xfffULL) &&
					     r.upper_writable == up_rw &&
					     r.upper_user == up_us &&
					     r.upper_nx == (up_xd &&
						(flags & S1_F_NXE));
				if (ok && want == S1_OK)
					ok = r.gpa == pa + off &&
					     r.page_size == size &&
					     r.writable == all_rw &&
					     r.user == all_us &&
					     r.nx == (any_xd &&
						      (flags & S1_F_NXE));
				for (int i = 0; ok && i < n; i++) {
					u64 now = *pp[i];
					u64 exp = val[i];

					if (want == S1_OK)
						exp |= S1_PTE_A;
					if (want == S1_OK && i == n - 1 &&
					    (acc & ACC_W))
						exp |= S1_PTE_D;
					ok = now == exp;
				}
				if (!ok && !bad++)
					snprintf(first, sizeof(first),
						 "levels %d leaf %d combo %#x acc %u fl %u: got %s ret %d, want %s",
						 levels, leaf_level, combo, acc,
						 fl, s1__fault_name(r.fault),
						 ret, s1__fault_name(want));
			}
		}
	}
	cr_assert_eq(bad, 0, "%ld of %ld walks wrong; first: %s", bad, walks,
		     first);
	env_fini(&e);
}

Test(s1walk, perm_sweep_4k_4level) { perm_sweep(4, 1); }
Test(s1walk, perm_sweep_2m_4level) { perm_sweep(4, 2); }
Test(s1walk, perm_sweep_1g_4level) { perm_sweep(4, 3); }
Test(s1walk, perm_sweep_4k_5level) { perm_sweep(5, 1); }
Test(s1walk, perm_sweep_2m_5level) { perm_sweep(5, 2); }
Test(s1walk, perm_sweep_1g_5level) { perm_sweep(5, 3); }

/* ---- faults ------------------------------------------------------------ */

Test(s1walk, not_present_each_level)
{
	for (int levels = 4; levels <= 5; levels++) {
		for (int l = levels; l >= 1; l--) {
			struct env e;
			u64 path[5];
			u64 va = 0x00007abcdef01000ULL;

			env_init(&e, levels);
			env_map(&e, va, 0x107000, 1, RWU, path);
			expect_ok(&e, va, 0, 0x107000, SZ_4K, 1);
			/* P clear, everything else left in place */
			*pte_at(&e, path[levels - l]) &= ~S1_PTE_P;
			expect_fault(&e, va, 0, S1_FAULT_NOT_PRESENT, l,
				     path[levels - l]);
			/* not-present wins over a permission problem above */
			*pte_at(&e, path[0]) &= ~(S1_PTE_US | S1_PTE_RW);
			if (l != levels)
				expect_fault(&e, va, ACC_W,
					     S1_FAULT_NOT_PRESENT, l,
					     path[levels - l]);
			env_fini(&e);
		}
	}
}

Test(s1walk, reserved_ps_in_pml4_pml5)
{
	struct env e;
	u64 path[5];
	u64 va = 0x00001234567f8000ULL;

	env_init(&e, 4);
	env_map(&e, va, 0x108000, 1, RWU, path);
	*pte_at(&e, path[0]) |= S1_PTE_PS;
	expect_fault(&e, va, 0, S1_FAULT_RESERVED, 4, path[0]);
	env_fini(&e);

	for (int l = 5; l >= 4; l--) {
		env_init(&e, 5);
		env_map(&e, va, 0x108000, 1, RWU, path);
		*pte_at(&e, path[5 - l]) |= S1_PTE_PS;
		expect_fault(&e, va, 0, S1_FAULT_RESERVED, l, path[5 - l]);
		env_fini(&e);
	}
}

Test(s1walk, reserved_address_bits_each_level)
{
	for (int levels = 4; levels <= 5; levels++) {
		for (int leaf = 1; leaf <= 3; leaf++) {
			for (int l = levels; l >= leaf; l--) {
				struct env e;
				u64 path[5];
				u64 va = 0x00000040c0000000ULL;
				u64 pa = leaf == 3 ? 0x100000000ULL :
					 leaf == 2 ? 0x200000 : 0x109000;
				int n;

				env_init(&e, levels);
				e.d.pa_bits = 40;
				n = env_map(&e, va, pa, leaf, RWU, path);
				expect_ok(&e, va + 0x3fe00000 * (leaf == 3), 0,
					  pa + 0x3fe00000 * (leaf == 3),
					  1ULL << (12 + 9 * (leaf - 1)), leaf);
				cr_assert_eq(n, levels - leaf + 1);
				*pte_at(&e, path[levels - l]) |= BIT_ULL(40);
				expect_fault(&e, va, 0, S1_FAULT_RESERVED, l,
					     path[levels - l]);
				*pte_at(&e, path[levels - l]) ^=
					BIT_ULL(40) | BIT_ULL(51);
				expect_fault(&e, va, 0, S1_FAULT_RESERVED, l,
					     path[levels - l]);
				env_fini(&e);
			}
		}
	}
}

Test(s1walk, address_bit_51_is_address_at_52_bits)
{
	struct env e;
	u64 path[5];
	u64 va = 0x10a000;

	env_init(&e, 4);
	env_map(&e, va, 0x10a000, 1, RWU, path);
	*pte_at(&e, path[3]) |= BIT_ULL(51);
	expect_fault(&e, va, 0, S1_FAULT_OUTPUT_ADDR, 1, path[3]);
	*pte_at(&e, path[3]) &= ~BIT_ULL(51);
	*pte_at(&e, path[2]) |= BIT_ULL(51);
	expect_fault(&e, va, 0, S1_FAULT_TABLE_ADDR, 1,
		     (BIT_ULL(51) | (*pte_at(&e, path[2]) & 0xfffff000)) +
		     idx_of(va, 1) * 8);
	e.d.pa_bits = 51;
	expect_fault(&e, va, 0, S1_FAULT_RESERVED, 2, path[2]);
	env_fini(&e);
}

Test(s1walk, reserved_large_page_bits)
{
	struct env e;
	u64 path[5];
	u64 va2 = 0x40400000ULL, va1 = 0x8000000000ULL;

	env_init(&e, 4);
	env_map(&e, va2, 0x200000, 2, RWU, path);
	for (int b = 13; b <= 20; b++) {
		*pte_at(&e, path[2]) |= BIT_ULL(b);
		expect_fault(&e, va2, 0, S1_FAULT_RESERVED, 2, path[2]);
		*pte_at(&e, path[2]) &= ~BIT_ULL(b);
	}
	/* bit 21 is address: 0x200000 -> 0x000000 */
	*pte_at(&e, path[2]) ^= BIT_ULL(21);
	expect_ok(&e, va2 + 5, 0, 5, SZ_2M, 2);
	*pte_at(&e, path[2]) ^= BIT_ULL(21);

	env_map(&e, va1, 0x100000000ULL, 3, RWU, path);
	for (int b = 13; b <= 29; b++) {
		*pte_at(&e, path[1]) |= BIT_ULL(b);
		expect_fault(&e, va1, 0, S1_FAULT_RESERVED, 3, path[1]);
		*pte_at(&e, path[1]) &= ~BIT_ULL(b);
	}
	/* bit 30 is address: 4 GiB -> 5 GiB (not RAM) */
	*pte_at(&e, path[1]) |= BIT_ULL(30);
	expect_fault(&e, va1 + 0x3fe00000, 0, S1_FAULT_OUTPUT_ADDR, 3, path[1]);
	*pte_at(&e, path[1]) &= ~BIT_ULL(30);
	expect_ok(&e, va1 + 0x3fe00000, 0, HI_GPA, SZ_1G, 3);

	/* no 1 GiB pages: PS in a PDPTE is reserved, 2 MiB pages fine */
	e.d.flags |= S1_F_NO_1G;
	expect_fault(&e, va1 + 0x3fe00000, 0, S1_FAULT_RESERVED, 3, path[1]);
	expect_ok(&e, va2 + 0x10, 0, 0x200010, SZ_2M, 2);
	env_fini(&e);
}

/* Bits 62:52, 11:8 and PAT/D/G in tables change nothing. */
Test(s1walk, ignored_bits)
{
	static const u64 ign = IGN_BITS;
	struct env e;
	u64 path[5];
	u64 va = 0x00ff000040000000ULL;
	int n;

	for (int leaf = 1; leaf <= 3; leaf++) {
		u64 pa = leaf == 3 ? 0x100000000ULL :
			 leaf == 2 ? 0x200000 : 0x10b000;
		u64 off = leaf == 3 ? 0x3fe00abc : 0xabc;

		env_init(&e, 5);
		e.d.flags = 0;	/* no A/D: keep entries as written */
		n = env_map(&e, va, pa, leaf, RWU, path);
		for (int i = 0; i < n; i++)
			*pte_at(&e, path[i]) |= ign |
				(i == n - 1 ? S1_PTE_D : S1_PTE_D | BIT_ULL(8));
		expect_ok(&e, va + off, ACC_X, pa + off,
			  1ULL << (12 + 9 * (leaf - 1)), leaf);
		env_fini(&e);
	}
}

Test(s1walk, table_outside_ram_each_level)
{
	static const u64 outside[] = {
		GAP_GPA, LOW_SIZE, HI_GPA - SZ_4K, HI_GPA + HI_SIZE,
		0x000ffffffffff000ULL,
	};

	for (int levels = 4; levels <= 5; levels++) {
		/* entry at level l points the walk at a table outside RAM */
		for (int l = levels; l >= 2; l--) {
			for (unsigned int k = 0; k < ARRAY_SIZE(outside); k++) {
				struct env e;
				u64 path[5];
				u64 va = 0x00003456789ab000ULL;
				u64 *p;

				env_init(&e, levels);
				env_map(&e, va, 0x10c000, 1, RWU, path);
				p = pte_at(&e, path[levels - l]);
				*p = (*p & ~S1_PTE_ADDR) | outside[k];
				expect_fault(&e, va, 0, S1_FAULT_TABLE_ADDR,
					     l - 1,
					     outside[k] + idx_of(va, l - 1) * 8);
				env_fini(&e);
			}
		}
	}
}

/* Tables and pages at the very end of each RAM region. */
Test(s1walk, last_bytes_of_ram)
{
	struct env e;
	u64 va = 0xfffffffffffff000ULL;	/* every index 511 */
	u64 t;

	env_init(&e, 4);
	/* PDPT in the last page of low RAM, PD in the last page of high RAM */
	t = LOW_SIZE - SZ_4K;
	*pte_at(&e, e.d.root_gpa + 511 * 8) = t | S1_PTE_P | RWU;
	*pte_at(&e, t + 511 * 8) = (HI_GPA + HI_SIZE - SZ_4K) | S1_PTE_P | RWU;
	t = HI_GPA + HI_SIZE - SZ_4K;
	*pte_at(&e, t + 511 * 8) = env_table(&e) | S1_PTE_P | RWU;
	t = *pte_at(&e, t + 511 * 8) & S1_PTE_ADDR;
	*pte_at(&e, t + 511 * 8) = (LOW_SIZE - 2 * SZ_4K) | S1_PTE_P | RWU;
	expect_ok(&e, va + 0xfff, ACC_W, LOW_SIZE - SZ_4K - 1, SZ_4K, 1);
	cr_assert(*pte_at(&e, LOW_SIZE - 8) & S1_PTE_A);
	cr_assert(*pte_at(&e, HI_GPA + HI_SIZE - 8) & S1_PTE_A);
	/* leaf page = last page of high RAM */
	*pte_at(&e, t + 511 * 8) = (HI_GPA + HI_SIZE - SZ_4K) | S1_PTE_P | RWU;
	expect_ok(&e, va + 0xfff, 0, HI_GPA + HI_SIZE - 1, SZ_4K, 1);
	/* one page further is not RAM */
	*pte_at(&e, t + 511 * 8) = (HI_GPA + HI_SIZE) | S1_PTE_P | RWU;
	expect_fault(&e, va, 0, S1_FAULT_OUTPUT_ADDR, 1, t + 511 * 8);
	env_fini(&e);
}

/* A RAM region whose size is not a whole page: entries half outside. */
Test(s1walk, table_straddling_region_end)
{
	struct env e;
	u8 *tail = aligned_alloc(SZ_4K, SZ_4K);
	u64 tail_gpa = 0x20000000ULL;
	u64 va_lo = 0x0, va_hi = 0x1ff000;	/* PT index 0 and 511 */
	u64 *pde;

	cr_assert_not_null(tail);
	memset(tail, 0, SZ_4K);
	env_init(&e, 4);
	e.mem.regions[2] = (struct guest_mem_region){ tail_gpa, SZ_4K - 4,
						      tail };
	e.mem.nr_regions = 3;
	env_map(&e, va_lo, 0x10d000, 1, RWU, NULL);
	pde = pte_at(&e, (*pte_at(&e, (*pte_at(&e, e.d.root_gpa) &
					S1_PTE_ADDR)) & S1_PTE_ADDR));
	*pde = tail_gpa | S1_PTE_P | RWU;
	memcpy(tail, &(u64){ 0x10d000 | S1_PTE_P | RWU }, 8);
	memcpy(tail + 4088, &(u64){ 0x10e000 | S1_PTE_P | RWU }, 8);
	expect_ok(&e, va_lo, 0, 0x10d000, SZ_4K, 1);
	expect_fault(&e, va_hi, 0, S1_FAULT_TABLE_ADDR, 1, tail_gpa + 4088);
	env_fini(&e);
	free(tail);
}

Test(s1walk, bad_root)
{
	struct env e;
	u64 root;

	env_init(&e, 4);
	env_map(&e, 0x1000, 0x10f000, 1, RWU, NULL);
	expect_ok(&e, 0x1000, 0, 0x10f000, SZ_4K, 1);
	root = e.d.root_gpa;
	for (u64 mis = 8; mis < SZ_4K; mis <<= 1) {
		e.d.root_gpa = root + mis;
		expect_fault(&e, 0x1000, 0, S1_FAULT_BAD_ROOT, 0, 0);
	}
	e.d.root_gpa = root | BIT_ULL(63);
	expect_fault(&e, 0x1000, 0, S1_FAULT_BAD_ROOT, 0, 0);
	/* aligned but not RAM: the root entry can't be read */
	e.d.root_gpa = GAP_GPA;
	expect_fault(&e, 0x1000, 0, S1_FAULT_BAD_ROOT, 4, GAP_GPA);
	e.d.root_gpa = LOW_SIZE;
	expect_fault(&e, 0x1000, 0, S1_FAULT_BAD_ROOT, 4, LOW_SIZE);
	/* beyond the output width */
	e.d.root_gpa = 1ULL << 40;
	e.d.pa_bits = 40;
	expect_fault(&e, 0x1000, 0, S1_FAULT_BAD_ROOT, 0, 0);
	e.d.root_gpa = root;
	expect_ok(&e, 0x1000, 0, 0x10f000, SZ_4K, 1);
	/* bad descriptor */
	e.d.pa_bits = 53;
	expect_fault(&e, 0x1000, 0, S1_FAULT_BAD_ROOT, 0, 0);
	e.d.pa_bits = 31;
	expect_fault(&e, 0x1000, 0, S1_FAULT_BAD_ROOT, 0, 0);
	e.d.pa_bits = 0;
	for (int lv = -1; lv <= 7; lv++) {
		if (lv == 4 || lv == 5)
			continue;
		e.d.levels = lv;
		expect_fault(&e, 0x1000, 0, S1_FAULT_BAD_ROOT, 0, 0);
	}
	/* root in the last page of RAM */
	e.d.levels = 4;
	e.d.root_gpa = HI_GPA + HI_SIZE - SZ_4K;
	*pte_at(&e, e.d.root_gpa) = *pte_at(&e, root);
	expect_ok(&e, 0x1000, 0, 0x10f000, SZ_4K, 1);
	env_fini(&e);
}

Test(s1walk, output_outside_ram)
{
	struct env e;
	u64 path[5];

	env_init(&e, 4);
	env_map(&e, 0x2000, GAP_GPA, 1, RWU, path);
	expect_fault(&e, 0x2000, 0, S1_FAULT_OUTPUT_ADDR, 1, path[3]);
	/* 2M page over the end of low RAM */
	env_map(&e, 0x40000000ULL, 0x200000, 2, RWU, NULL);
	expect_ok(&e, 0x40000000ULL + 0x1fffff, 0, 0x3fffff, SZ_2M, 2);
	env_map(&e, 0x40200000ULL, LOW_SIZE, 2, RWU, path);
	expect_fault(&e, 0x40200000ULL, 0, S1_FAULT_OUTPUT_ADDR, 2, path[2]);
	/* 1G page at 0: RAM only in its first 4 MiB */
	env_map(&e, 0x8000000000ULL, 0, 3, RWU, path);
	expect_ok(&e, 0x8000000000ULL + LOW_SIZE - 1, 0, LOW_SIZE - 1, SZ_1G,
		  3);
	expect_fault(&e, 0x8000000000ULL + LOW_SIZE, 0, S1_FAULT_OUTPUT_ADDR,
		     3, path[1]);
	env_fini(&e);
}

/* ---- accessed / dirty -------------------------------------------------- */

static void check_ad(struct env *e, const u64 *path, int n, u64 top_bits,
		     u64 leaf_bits)
{
	for (int i = 0; i < n; i++) {
		u64 v = *pte_at(e, path[i]) & AD_BITS;
		u64 want = i == n - 1 ? leaf_bits : top_bits;

		cr_assert_eq(v, want, "entry %d of %d: A/D/EA %#llx want %#llx",
			     i, n, U(v), U(want));
	}
}

Test(s1walk, accessed_dirty)
{
	for (int levels = 4; levels <= 5; levels++) {
		for (int leaf = 1; leaf <= 3; leaf++) {
			struct env e;
			u64 path[5];
			u64 va = 0x00000080c0000000ULL;
			u64 pa = leaf == 3 ? 0x100000000ULL :
				 leaf == 2 ? 0x200000 : 0x110000;
			u64 off = leaf == 3 ? 0x3fe00000 : 0;
			u64 size = 1ULL << (12 + 9 * (leaf - 1));
			int n;

			env_init(&e, levels);
			n = env_map(&e, va, pa, leaf, RWU, path);
			check_ad(&e, path, n, 0, 0);
			expect_ok(&e, va + off, 0, pa + off, size, leaf);
			check_ad(&e, path, n, S1_PTE_A, S1_PTE_A);
			expect_ok(&e, va + off, ACC_W, pa + off, size, leaf);
			check_ad(&e, path, n, S1_PTE_A, S1_PTE_A | S1_PTE_D);
			/* reads never clear D */
			expect_ok(&e, va + off, 0, pa + off, size, leaf);
			check_ad(&e, path, n, S1_PTE_A, S1_PTE_A | S1_PTE_D);
			env_fini(&e);

			/* a first write sets A and D in one go */
			env_init(&e, levels);
			e.d.flags |= S1_F_EAFE;
			n = env_map(&e, va, pa, leaf, RWU, path);
			expect_ok(&e, va + off, ACC_W, pa + off, size, leaf);
			check_ad(&e, path, n, S1_PTE_A | S1_PTE_EA,
				 S1_PTE_A | S1_PTE_EA | S1_PTE_D);
			env_fini(&e);

			/* S1_F_AD clear: nothing is written */
			env_init(&e, levels);
			e.d.flags = S1_F_EAFE;
			n = env_map(&e, va, pa, leaf, RWU, path);
			expect_ok(&e, va + off, ACC_W, pa + off, size, leaf);
			check_ad(&e, path, n, 0, 0);
			env_fini(&e);
		}
	}
}

/* EA is set even on entries whose A the guest already set. */
Test(s1walk, eafe_on_accessed_entries)
{
	struct env e;
	u64 path[5];
	int n;

	env_init(&e, 4);
	n = env_map(&e, 0x3000, 0x111000, 1, RWU | S1_PTE_A, path);
	for (int i = 0; i < n; i++)
		*pte_at(&e, path[i]) |= S1_PTE_A;
	expect_ok(&e, 0x3000, 0, 0x111000, SZ_4K, 1);
	check_ad(&e, path, n, S1_PTE_A, S1_PTE_A);
	e.d.flags |= S1_F_EAFE;
	expect_ok(&e, 0x3000, 0, 0x111000, SZ_4K, 1);
	check_ad(&e, path, n, S1_PTE_A | S1_PTE_EA, S1_PTE_A | S1_PTE_EA);
	env_fini(&e);
}

/* Whole-RAM snapshot: a walk that faults writes nothing at all. */
static void expect_untouched(struct env *e, u64 va, unsigned int acc,
			     enum s1_fault f)
{
	u8 *lo = malloc(LOW_SIZE), *hi = malloc(HI_SIZE);
	struct s1_result r;

	cr_assert(lo && hi);
	memcpy(lo, e->low, LOW_SIZE);
	memcpy(hi, e->hi, HI_SIZE);
	cr_assert_eq(walk(e, va, acc, &r), -EFAULT);
	cr_assert_eq(r.fault, f, "got %s want %s", s1__fault_name(r.fault),
		     s1__fault_name(f));
	cr_assert(!memcmp(lo, e->low, LOW_SIZE), "%s walk wrote low RAM",
		  s1__fault_name(f));
	cr_assert(!memcmp(hi, e->hi, HI_SIZE), "%s walk wrote high RAM",
		  s1__fault_name(f));
	free(lo);
	free(hi);
}

Test(s1walk, fault_sets_nothing)
{
	struct env e;
	u64 path[5];
	u64 va = 0x00000123c0000000ULL;

	env_init(&e, 5);
	e.d.flags |= S1_F_NXE | S1_F_WPE | S1_F_SRE | S1_F_EAFE;
	env_map(&e, va, 0x112000, 1, S1_PTE_XD, path);	/* RO, super, XD */
	expect_untouched(&e, va, 0, S1_FAULT_USER);
	expect_untouched(&e, va, ACC_S | ACC_W, S1_FAULT_WRITE);
	expect_untouched(&e, va, ACC_S | ACC_X, S1_FAULT_EXEC);
	*pte_at(&e, path[4]) |= RWU;
	*pte_at(&e, path[4]) &= ~S1_PTE_XD;
	*pte_at(&e, path[3]) |= BIT_ULL(52);	/* ignored */
	*pte_at(&e, path[4]) = (*pte_at(&e, path[4]) & ~S1_PTE_ADDR) |
			       0x000f000000000000ULL;
	expect_untouched(&e, va, ACC_W, S1_FAULT_OUTPUT_ADDR);
	*pte_at(&e, path[4]) &= ~S1_PTE_P;
	expect_untouched(&e, va, ACC_W, S1_FAULT_NOT_PRESENT);
	*pte_at(&e, path[4]) = 0x112000 | S1_PTE_P | RWU;
	*pte_at(&e, path[3]) |= S1_PTE_PS | BIT_ULL(14);	/* 2M, rsvd */
	expect_untouched(&e, va, ACC_W, S1_FAULT_RESERVED);
	*pte_at(&e, path[3]) = GAP_GPA | S1_PTE_P | RWU;
	expect_untouched(&e, va, ACC_W, S1_FAULT_TABLE_ADDR);
	e.d.flags &= ~S1_F_SRE;
	expect_untouched(&e, va, ACC_S, S1_FAULT_SUPERVISOR);
	env_fini(&e);
}

/* A successful walk changes only A/D/EA bits, only on its own path. */
Test(s1walk, success_writes_only_ad_on_path)
{
	struct env e;
	u64 path[5], va = 0x00000123c0000000ULL;
	u8 *lo = malloc(LOW_SIZE);
	int n;

	cr_assert_not_null(lo);
	env_init(&e, 5);
	e.d.flags |= S1_F_EAFE;
	env_map(&e, va + SZ_4K, 0x113000, 1, RWU, NULL);	/* neighbour */
	env_map(&e, va - SZ_2M, 0x200000, 2, RWU, NULL);
	n = env_map(&e, va, 0x114000, 1, RWU, path);
	memcpy(lo, e.low, LOW_SIZE);
	expect_ok(&e, va, ACC_W, 0x114000, SZ_4K, 1);
	for (int i = 0; i < n; i++) {
		u64 v = *pte_at(&e, path[i]);

		memcpy(lo + path[i], &v, 8);	/* low RAM: gpa == offset */
	}
	cr_assert(!memcmp(lo, e.low, LOW_SIZE), "wrote outside the path");
	check_ad(&e, path, n, S1_PTE_A | S1_PTE_EA,
		 S1_PTE_A | S1_PTE_EA | S1_PTE_D);
	free(lo);
	env_fini(&e);
}

/*
 * The guest flips the leaf between present and not present while the
 * walker runs.  A/D updates are compare-and-swap against what the walk
 * read: the not-present value must never come back with A set, and
 * nothing but A may be added to the present one.  (A plain fetch-or of A
 * hits the not-present value now and then.)
 */
struct flipper {
	u64 *pte;
	u64 present;
	u64 absent;
	bool stop;
	long corrupt;
	long flips;
};

static void *flipper_run(void *arg)
{
	struct flipper *f = arg;

	while (!__atomic_load_n(&f->stop, __ATOMIC_RELAXED)) {
		u64 next = (f->flips & 1) ? f->present : f->absent;
		u64 old = __atomic_exchange_n(f->pte, next, __ATOMIC_SEQ_CST);

		if (old != f->absent && old != f->present &&
		    old != (f->present | S1_PTE_A))
			f->corrupt++;
		f->flips++;
	}
	return NULL;
}

Test(s1walk, ad_update_races_guest)
{
	struct flipper f = { 0 };
	struct env e;
	pthread_t th;
	u64 path[5];
	long ok = 0, np = 0, race = 0;

	env_init(&e, 4);
	env_map(&e, 0x4000, 0x115000, 1, RWU, path);
	f.pte = pte_at(&e, path[3]);
	f.present = *f.pte;
	f.absent = 0x115000 | RWU;	/* guest software bits, no P, no A */
	cr_assert_eq(pthread_create(&th, NULL, flipper_run, &f), 0);
	for (int i = 0; i < 200000; i++) {
		struct s1_result r;
		int ret = walk(&e, 0x4008, 0, &r);

		if (ret == 0) {
			cr_assert_eq(r.gpa, 0x115008);
			ok++;
		} else if (r.fault == S1_FAULT_NOT_PRESENT) {
			cr_assert_eq(ret, -EFAULT);
			np++;
		} else {
			cr_assert_eq(r.fault, S1_FAULT_RACE, "%s",
				     s1__fault_name(r.fault));
			cr_assert_eq(ret, -EAGAIN);
			race++;
		}
	}
	__atomic_store_n(&f.stop, true, __ATOMIC_RELAXED);
	pthread_join(th, NULL);
	cr_assert_eq(f.corrupt, 0, "A set on a not-present entry %ld times "
		     "(%ld flips, %ld ok, %ld np, %ld race)", f.corrupt,
		     f.flips, ok, np, race);
	cr_assert(ok + np + race == 200000);
	env_fini(&e);
}

Test(s1walk, fault_names)
{
	for (int i = 0; i < S1_FAULT__COUNT; i++) {
		const char *n = s1__fault_name(i);

		cr_assert(n && strcmp(n, "?"), "fault %d has no name", i);
		for (int j = 0; j < i; j++)
			cr_assert_str_neq(n, s1__fault_name(j));
	}
	cr_assert_str_eq(s1__fault_name(S1_FAULT_NOT_PRESENT), "not-present");
	cr_assert_str_eq(s1__fault_name(S1_FAULT__COUNT), "?");
	cr_assert_str_eq(s1__fault_name((enum s1_fault)-1), "?");
}
