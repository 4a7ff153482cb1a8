// SPDX-License-Identifier: GPL-2.0
/*
 * Stage-1 (first-stage) page-table walker over guest RAM.  Pure: no I/O,
 * no globals.  See include/vsva/s1walk.h for the rules it implements.
 *
 * A walk is two phases.  First the entries are read (one atomic 8-byte
 * load each) and every check is made; nothing is written, so a faulting
 * walk leaves the tables untouched.  Then, for a successful walk with
 * S1_F_AD, A (and EA) is set top-down in every entry used and D in the leaf
 * of a write, each with a compare-and-swap against the value the first
 * phase read: if the guest changed an entry in between, the update is not
 * applied to the new value (which may no longer be present, and whose
 * software bits are the guest's) and the whole walk starts again.  A bits
 * set on upper levels before a lost race stay set, as on a CPU.
 */
#include <errno.h>

#include <vsva/s1walk.h>

#define S1_MAX_TRIES	8
#define S1_MAX_LEVELS	5
#define S1_ENTRIES	512

/* Bits @hi..@lo set. */
#define S1_BITS(hi, lo)	((~0ULL >> (63 - (hi))) & ~((1ULL << (lo)) - 1))

struct s1_step {
	u64 *pte;		/* host pointer to the entry */
	u64 val;		/* what the first phase read */
};

static const char *const s1_fault_names[S1_FAULT__COUNT] = {
	[S1_OK]			= "ok",
	[S1_FAULT_NON_CANONICAL] = "non-canonical",
	[S1_FAULT_NOT_PRESENT]	= "not-present",
	[S1_FAULT_WRITE]	= "write",
	[S1_FAULT_USER]		= "user",
	[S1_FAULT_SUPERVISOR]	= "supervisor",
	[S1_FAULT_EXEC]		= "exec",
	[S1_FAULT_RESERVED]	= "reserved",
	[S1_FAULT_TABLE_ADDR]	= "table-addr",
	[S1_FAULT_BAD_ROOT]	= "bad-root",
	[S1_FAULT_OUTPUT_ADDR]	= "output-addr",
	[S1_FAULT_RACE]		= "race",
};

const char *s1__fault_name(enum s1_fault f)
{
	if ((unsigned int)f >= S1_FAULT__COUNT)
		return "?";
	return s1_fault_names[f];
}

static int s1_fault(struct s1_result *r, enum s1_fault f)
{
	r->fault = f;
	return -EFAULT;
}

/* Bits 63:(va_bits - 1) all equal. */
static bool s1_canonical(u64 addr, int levels)
{
	int va_bits = levels == 5 ? 57 : 48;
	u64 top = addr >> (va_bits - 1);

	return top == 0 || top == ~0ULL >> (va_bits - 1);
}

static unsigned int s1_shift(int level)
{
	return 12 + 9 * (level - 1);
}

static bool s1_is_leaf(u64 pte, int level)
{
	return level == 1 || ((level == 2 || level == 3) && (pte & S1_PTE_PS));
}

/* Reserved bits of @pte at @level that are set. */
static u64 s1_reserved(const struct s1_desc *d, u64 pte, int level,
		       u64 hi_rsvd)
{
	u64 m = hi_rsvd;

	if (level >= 4)
		m |= S1_PTE_PS;
	else if (level == 3 && (pte & S1_PTE_PS))
		m |= (d->flags & S1_F_NO_1G) ? S1_PTE_PS : S1_BITS(29, 13);
	else if (level == 2 && (pte & S1_PTE_PS))
		m |= S1_BITS(20, 13);
	return pte & m;
}

/* Phase two: set A (EA) on every step, D on the leaf of a write. */
static int s1_update_ad(const struct s1_desc *d, const struct s1_access *a,
			struct s1_step *steps, int n)
{
	u64 acc = S1_PTE_A | ((d->flags & S1_F_EAFE) ? S1_PTE_EA : 0);

	for (int i = 0; i < n; i++) {
		u64 old = steps[i].val;
		u64 want = old | acc;

		if (i == n - 1 && a->write)
			want |= S1_PTE_D;
		if (want == old)
			continue;
		if (!__atomic_compare_exchange_n(steps[i].pte, &old, want,
						 false, __ATOMIC_SEQ_CST,
						 __ATOMIC_SEQ_CST))
			return -EAGAIN;
	}
	return 0;
}

static int s1_try(const struct guest_mem *mem, const struct s1_desc *d,
		  const struct s1_access *a, struct s1_result *r, u64 hi_rsvd)
{
	struct s1_step steps[S1_MAX_LEVELS];
	bool rw = true, us = true, xd = false;
	u64 table = d->root_gpa;
	u64 pte, size, gpa;
	int level, n = 0;
	bool leaf;

	for (level = d->levels; ; level--) {
		unsigned int idx = (a->addr >> s1_shift(level)) &
				   (S1_ENTRIES - 1);
		u64 pte_gpa = table + idx * 8;
		u64 *p = guest_mem__ptr(mem, pte_gpa, 8);

		r->level = level;
		r->pte_gpa = pte_gpa;
		r->table_gpa = table;
		if (!p)
			return s1_fault(r, level == d->levels ?
					S1_FAULT_BAD_ROOT : S1_FAULT_TABLE_ADDR);
		pte = __atomic_load_n(p, __ATOMIC_ACQUIRE);
		if (!(pte & S1_PTE_P))
			return s1_fault(r, S1_FAULT_NOT_PRESENT);
		if (s1_reserved(d, pte, level, hi_rsvd))
			return s1_fault(r, S1_FAULT_RESERVED);
		leaf = s1_is_leaf(pte, level);
		if (leaf) {
			r->upper_writable = rw;
			r->upper_user = us;
			r->upper_nx = xd && (d->flags & S1_F_NXE);
		}
		rw = rw && (pte & S1_PTE_RW);
		us = us && (pte & S1_PTE_US);
		xd = xd || (pte & S1_PTE_XD);
		steps[n].pte = p;
		steps[n].val = pte;
		n++;
		if (leaf)
			break;
		table = pte & S1_PTE_ADDR;
	}

	r->writable = rw;
	r->user = us;
	r->nx = xd && (d->flags & S1_F_NXE);
	if (!a->priv && !us)
		return s1_fault(r, S1_FAULT_USER);
	if (a->write && !rw && (!a->priv || (d->flags & S1_F_WPE)))
		return s1_fault(r, S1_FAULT_WRITE);
	if (a->exec && r->nx)
		return s1_fault(r, S1_FAULT_EXEC);

	size = 1ULL << s1_shift(level);
	gpa = (pte & S1_PTE_ADDR & ~(size - 1)) | (a->addr & (size - 1));
	if (!guest_mem__ptr(mem, gpa, 1))
		return s1_fault(r, S1_FAULT_OUTPUT_ADDR);

	if ((d->flags & S1_F_AD) && s1_update_ad(d, a, steps, n))
		return -EAGAIN;
	r->gpa = gpa;
	r->page_size = size;
	return 0;
}

int s1__walk(const struct guest_mem *mem, const struct s1_desc *d,
	     const struct s1_access *a, struct s1_result *r)
{
	int pa_bits = d->pa_bits ? d->pa_bits : 52;
	u64 hi_rsvd;

	*r = (struct s1_result){ .fault = S1_OK };
	if ((d->levels != 4 && d->levels != 5) || pa_bits < 32 || pa_bits > 52)
		return s1_fault(r, S1_FAULT_BAD_ROOT);
	if (a->priv && !(d->flags & S1_F_SRE))
		return s1_fault(r, S1_FAULT_SUPERVISOR);
	if (!s1_canonical(a->addr, d->levels))
		return s1_fault(r, S1_FAULT_NON_CANONICAL);
	if (!IS_ALIGNED(d->root_gpa, SZ_4K) || d->root_gpa >> pa_bits)
		return s1_fault(r, S1_FAULT_BAD_ROOT);

	hi_rsvd = S1_PTE_ADDR & ~((1ULL << pa_bits) - 1);
	for (int i = 0; i < S1_MAX_TRIES; i++) {
		int ret = s1_try(mem, d, a, r, hi_rsvd);

		if (ret != -EAGAIN)
			return ret;
		*r = (struct s1_result){ .fault = S1_OK };
	}
	r->fault = S1_FAULT_RACE;
	return -EAGAIN;
}
