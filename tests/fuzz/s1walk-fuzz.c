// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the stage-1 walker (viommu/s1walk.c).  Not built by
 * the Makefile; build and run it by hand:
 *
 *   mkdir -p build/fuzz
 *   clang -std=gnu11 -g -O1 -D_GNU_SOURCE -Iinclude -I. \
 *	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
 *	-o build/fuzz/s1walk-fuzz tests/fuzz/s1walk-fuzz.c viommu/s1walk.c \
 *	vmm/guest-mem.c
 *   build/fuzz/s1walk-fuzz -max_total_time=60 -max_len=4096
 *
 * Guest RAM is two small malloc'd regions (so ASan sees any byte read past
 * them): 8 pages at GPA 0 and 0x1ffc bytes at HI_GPA, the second ending in
 * the middle of an entry.  The input chooses the descriptor, four accesses,
 * and the RAM contents; each 8-byte word becomes an entry whose address
 * field is usually steered to a page of RAM, just outside it, or left raw,
 * and accesses may have bits 29:15 cleared so that large pages at GPA 0
 * translate into RAM.
 * Checked after every walk: the result is self-consistent, a translation
 * lands in RAM with the right page offset and obeys the permission rules,
 * a fault writes nothing, a success only sets A/D/EA bits in at most one
 * entry per level, and a second walk agrees with the first.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <vsva/s1walk.h>

#define LO_SIZE		(8 * SZ_4K)
#define HI_GPA		0x10000ULL
#define HI_SIZE		0x1ffcULL
#define HDR_SIZE	40	/* 4 bytes descriptor + 4 x (8 addr + 1 acc) */

#define check(c)	do { if (!(c)) __builtin_trap(); } while (0)

static u64 rd64(const u8 *p)
{
	u64 v;

	memcpy(&v, p, 8);
	return v;
}

/* Page-table entry from fuzzer word @w: mostly steer the address. */
static u64 cook(u64 w)
{
	static const u64 slots[16] = {
		0x0000, 0x1000, 0x2000, 0x3000, 0x4000, 0x5000, 0x6000,
		0x7000, HI_GPA, HI_GPA + 0x1000, HI_GPA + 0x2000, LO_SIZE,
		0x200000, 0x40000000, 0x000ffffffffff000ULL, 0,
	};
	unsigned int s = (w >> 12) & 15;

	if (s == 15)
		return w;			/* raw */
	return (w & ~S1_PTE_ADDR) | slots[s];
}

static bool canonical(u64 addr, int levels)
{
	int sh = levels == 5 ? 56 : 47;

	return addr >> sh == 0 || addr >> sh == ~0ULL >> sh;
}

static void snapshot(const struct guest_mem *m, u8 *lo, u8 *hi)
{
	memcpy(lo, m->regions[0].hva, LO_SIZE);
	memcpy(hi, m->regions[1].hva, HI_SIZE);
}

/* Words changed since the snapshot; each may only have gained A/D/EA. */
static int changed_words(const u8 *old, const u8 *now, u64 size)
{
	const u64 ad = S1_PTE_A | S1_PTE_D | S1_PTE_EA;
	int n = 0;

	for (u64 off = 0; off + 8 <= size; off += 8) {
		u64 a = rd64(old + off), b = rd64(now + off);

		if (a == b)
			continue;
		check((a & ~ad) == (b & ~ad) && (b & a) == a);
		n++;
	}
	/* a tail shorter than a word is never an entry */
	check(!memcmp(old + (size & ~7ULL), now + (size & ~7ULL), size & 7));
	return n;
}

static void check_result(const struct guest_mem *mem, const struct s1_desc *d,
			 const struct s1_access *a, const struct s1_result *r,
			 int ret)
{
	check(ret == 0 || ret == -EFAULT);	/* -EAGAIN needs a racer */
	check((ret == 0) == (r->fault == S1_OK));
	check(r->fault < S1_FAULT__COUNT);
	check(r->level >= 0 && r->level <= 5);
	if (ret) {
		check(r->gpa == 0 && r->page_size == 0);
		return;
	}
	check(r->page_size == SZ_4K || r->page_size == SZ_2M ||
	      r->page_size == SZ_1G);
	check(r->page_size == 1ULL << (12 + 9 * (r->level - 1)));
	check(guest_mem__ptr(mem, r->gpa, 1));
	check(guest_mem__ptr(mem, r->pte_gpa, 8));
	check((r->gpa & (r->page_size - 1)) == (a->addr & (r->page_size - 1)));
	check(canonical(a->addr, d->levels));
	check(IS_ALIGNED(d->root_gpa, SZ_4K));
	check(!a->priv || (d->flags & S1_F_SRE));
	check(a->priv || r->user);
	check(!a->write || r->writable || (a->priv && !(d->flags & S1_F_WPE)));
	check(!a->exec || !r->nx);
	check(!r->nx || (d->flags & S1_F_NXE));
	check(!r->writable || r->upper_writable);
	check(!r->user || r->upper_user);
	check(!r->upper_nx || r->nx);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static u8 old_lo[LO_SIZE], old_hi[HI_SIZE];
	struct guest_mem mem = { .nr_regions = 2 };
	struct s1_desc d;
	u8 *lo, *hi;

	if (size < HDR_SIZE)
		return 0;
	lo = calloc(1, LO_SIZE);
	hi = calloc(1, HI_SIZE);
	if (!lo || !hi)
		abort();
	mem.regions[0] = (struct guest_mem_region){ 0, LO_SIZE, lo };
	mem.regions[1] = (struct guest_mem_region){ HI_GPA, HI_SIZE, hi };
	mem.ram_size = LO_SIZE + HI_SIZE;

	d.levels = (data[0] & 1) ? 5 : 4;
	d.flags = (data[0] >> 1) & 0x3f;
	/* root: one of the pages, maybe misaligned or outside */
	d.root_gpa = cook((u64)(data[1] & 15) << 12) | ((data[1] & 0x10) ? 8 : 0);
	d.pa_bits = (data[2] & 0x80) ? 32 + data[2] % 21 : 0;
	if (data[3] == 0xff)
		d.levels = data[2] & 7;		/* sometimes nonsense */

	/* RAM: entries from the input after the header, in order */
	for (size_t i = HDR_SIZE, off = 0; i + 8 <= size; i += 8, off += 8) {
		u64 e = cook(rd64(data + i));

		if (off + 8 <= LO_SIZE)
			memcpy(lo + off, &e, 8);
		else if (off - LO_SIZE + 8 <= HI_SIZE)
			memcpy(hi + off - LO_SIZE, &e, 8);
		else
			break;
	}

	for (int k = 0; k < 4; k++) {
		const u8 *w = data + 4 + 9 * k;
		struct s1_access a = {
			.addr = rd64(w),
			.write = w[8] & 1,
			.exec = w[8] & 2,
			.priv = w[8] & 4,
		};
		struct s1_result r, r2;
		int ret, ret2, n;

		/* often keep large-page offsets inside the low region */
		if (w[8] & 8)
			a.addr &= ~0x3fff8000ULL;

		snapshot(&mem, old_lo, old_hi);
		ret = s1__walk(&mem, &d, &a, &r);
		check_result(&mem, &d, &a, &r, ret);
		n = changed_words(old_lo, lo, LO_SIZE) +
		    changed_words(old_hi, hi, HI_SIZE);
		if (ret || !(d.flags & S1_F_AD))
			check(n == 0);
		else
			check(n <= d.levels);

		/* A/D bits do not change the answer */
		ret2 = s1__walk(&mem, &d, &a, &r2);
		check(ret2 == ret && r2.fault == r.fault && r2.gpa == r.gpa &&
		      r2.page_size == r.page_size && r2.level == r.level &&
		      r2.pte_gpa == r.pte_gpa);
	}
	free(lo);
	free(hi);
	return 0;
}
