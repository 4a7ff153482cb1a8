// SPDX-License-Identifier: GPL-2.0
/* pri-stress: building, running and checking jobs (see ps.h). */
#include <errno.h>
#include <stdarg.h>

#include "console.h"
#include "cpu.h"
#include "pages.h"
#include "ps.h"
#include "tsc.h"

#define PG		4096ULL
#define WRONG_PRINTS	12
#define NO_DIFF		(~0ULL)

/* --- layout --- */

/* `pages` fresh pages and the guard page after them. */
static u64 take_allow(struct ps_layout *l, u32 pages)
{
	u64 va = l->next_allow;

	l->next_allow += (pages + 1) * PG;
	return va;
}

static u64 take_refuse(struct ps_layout *l, u32 pages)
{
	u64 va = l->next_refuse;

	l->next_refuse += (pages + 1) * PG;
	return va;
}

void ps__round_begin(void)
{
	for (u32 i = 0; i < ps.p.pasids; i++) {
		struct ps_layout *l = &ps.lay[i];

		*l = (struct ps_layout){
			.next_allow = PS_ALLOW_BASE,
			.next_refuse = PS_REFUSE_BASE,
		};
		/* The record pages first: they fault with the first jobs. */
		l->pages_a = PS_DIV_UP(ps.p.jobs + PS_EXTRA_RECS,
					  PS_RECS_PER_PAGE);
		l->pages_b = PS_DIV_UP(ps.p.jobs, PS_RECS_PER_PAGE);
		l->cmpl_a = take_allow(l, l->pages_a);
		l->cmpl_b = take_allow(l, l->pages_b);
		for (u32 k = 0; k < ARRAY_SIZE(l->patterns); k++)
			l->patterns[k] = ps__rand();
	}
}

/* A buffer spanning exactly 1..max_pages pages: its page count, the
 * offset of its first byte in the first page, its length. */
static void geometry(u32 max_pages, u32 *pages, u32 *off, u32 *len)
{
	u32 k = 1 + ps__rand_below(max_pages);
	u32 o = ps__rand_below(2) ? 0 : ps__rand_below(PG);
	u32 lo = (k - 1) * PG >= o ? (k - 1) * PG - o + 1 : 1;
	u32 hi = k * PG - o;

	*pages = k;
	*off = o;
	*len = lo + ps__rand_below(hi - lo + 1);
}

/* The offset of a len-byte buffer so it spans at most max_pages pages. */
static u32 offset_for(u32 len, u32 max_pages)
{
	u32 room = max_pages * PG - len;

	if (ps__rand_below(2))
		return 0;
	return ps__rand_below(MIN(room, (u32)PG - 1) + 1);
}

static u32 span_pages(u32 off, u32 len)
{
	return (off + len + PG - 1) / PG;
}

static u64 record(u64 base, u32 pages, u32 slot)
{
	return base + (slot % pages) * PG +
	       (slot / pages) * sizeof(struct sva_completion);
}

static u64 record_a(struct ps_layout *l)
{
	return record(l->cmpl_a, l->pages_a, l->slot_a++);
}

static u64 record_b(struct ps_layout *l)
{
	return record(l->cmpl_b, l->pages_b, l->slot_b++);
}

static void job_init(struct ps_job *j, u32 i, u8 kind, u8 op, u64 src,
		     u64 dst, u32 len, u64 pattern, u64 cmpl, u8 expect)
{
	*j = (struct ps_job){
		.d = {
			.pasid = ps.spaces[i].pasid | SVA_DESC_PASID_VALID,
			.op = op, .src = src, .dst = dst, .len = len,
			.pattern = pattern, .completion = cmpl,
			.user = ++ps.user_seq,
		},
		.kind = kind, .expect = expect, .space = i, .cmpl = cmpl,
		.pattern = pattern, .expect_result = NO_DIFF,
	};
}

static u8 pattern_byte(u64 pattern, u32 i)
{
	return (u8)(pattern >> (8 * (i & 7)));
}

/* --- building --- */

static void build_fill(struct ps_job *j, u32 i, u32 max_pages, bool refused)
{
	struct ps_layout *l = &ps.lay[i];
	u32 pages, off, len;
	u64 dst;

	geometry(max_pages, &pages, &off, &len);
	dst = (refused ? take_refuse(l, pages) : take_allow(l, pages)) + off;
	job_init(j, i, refused ? PS_BAD_FILL : PS_FILL, SVA_OP_FILL, 0, dst,
		 len, l->patterns[ps__rand_below(ARRAY_SIZE(l->patterns))],
		 record_a(l), refused ? SVA_ST_PAGE_FAULT : SVA_ST_SUCCESS);
}

u32 ps__build_fills(void)
{
	u32 n = 0;

	ps.nr_fill = (ps.p.jobs + 1) / 2;
	for (u32 k = 0; k < ps.nr_fill; k++)
		for (u32 i = 0; i < ps.p.pasids; i++)
			build_fill(&ps.fills[n++], i, ps.p.pages, false);
	return n;
}

static const struct ps_job *some_fill(u32 i)
{
	return &ps.fills[ps__rand_below(ps.nr_fill) * ps.p.pasids + i];
}

static void build_copy(struct ps_job *j, u32 i)
{
	const struct ps_job *f = some_fill(i);
	struct ps_layout *l = &ps.lay[i];
	u32 len = 1 + ps__rand_below(f->d.len);
	u32 so = ps__rand_below(f->d.len - len + 1);
	u32 off = offset_for(len, ps.p.pages);
	u64 dst = take_allow(l, span_pages(off, len)) + off;

	job_init(j, i, PS_COPY, SVA_OP_COPY, f->d.dst + so, dst, len, 0,
		 record_b(l), SVA_ST_SUCCESS);
	/* What it copies: the FILL's bytes from so on. */
	j->pattern = f->pattern;
	j->phase = (f->phase + so) & 7;
}

static void build_compare(struct ps_job *j, u32 i)
{
	const struct ps_job *a = some_fill(i), *b = some_fill(i);
	u32 len = MIN(a->d.len, b->d.len);

	job_init(j, i, PS_COMPARE, SVA_OP_COMPARE, a->d.dst, b->d.dst, len, 0,
		 record_b(&ps.lay[i]), SVA_ST_SUCCESS);
	/* Both start at their FILL's first byte: the patterns decide. */
	for (u32 k = 0; k < MIN(len, 8U); k++) {
		if (pattern_byte(a->pattern, k) == pattern_byte(b->pattern, k))
			continue;
		j->expect = SVA_ST_MISMATCH;
		j->expect_result = k;
		break;
	}
}

/* A job the handler must refuse; its record goes to the phase-A page,
 * which the FILLs got mapped (a record in an unmapped page would join
 * the refused group and never be written). */
static void build_bad(struct ps_job *j, u32 i)
{
	struct ps_layout *l = &ps.lay[i];
	const struct ps_job *f;
	u32 len, off, soff;
	u64 src, dst;

	switch (ps__rand_below(3)) {
	case 0:
		build_fill(j, i, ps.p.pages, true);
		return;
	case 1:
		f = some_fill(i);
		len = 1 + ps__rand_below(f->d.len);
		off = offset_for(len, ps.p.pages);
		dst = take_refuse(l, span_pages(off, len)) + off;
		job_init(j, i, PS_BAD_COPY_DST, SVA_OP_COPY, f->d.dst, dst, len,
			 0, record_a(l), SVA_ST_PAGE_FAULT);
		return;
	default:
		/* Refused source, fresh allowed destination: groups that mix
		 * both are refused whole. */
		len = 1 + ps__rand_below(ps.p.pages * PG);
		soff = offset_for(len, ps.p.pages);
		off = offset_for(len, ps.p.pages);
		src = take_refuse(l, span_pages(soff, len)) + soff;
		dst = take_allow(l, span_pages(off, len)) + off;
		job_init(j, i, PS_BAD_COPY_SRC, SVA_OP_COPY, src, dst, len, 0,
			 record_a(l), SVA_ST_PAGE_FAULT);
		return;
	}
}

u32 ps__build_rest(void)
{
	u32 nb = ps.p.jobs - ps.nr_fill;
	u32 nbad = MIN(nb, (ps.p.jobs * ps.p.invalid + 50) / 100);
	u32 n = 0;

	for (u32 k = 0; k < nb; k++) {
		for (u32 i = 0; i < ps.p.pasids; i++) {
			struct ps_job *j = &ps.rest[n++];

			/* The refused ones sit at a different place for
			 * each PASID. */
			if ((k + i) % nb < nbad)
				build_bad(j, i);
			else if (ps__rand_below(2))
				build_copy(j, i);
			else
				build_compare(j, i);
		}
	}
	return n;
}

void ps__build_held_fill(struct ps_job *j, u32 i, u32 pages)
{
	struct ps_layout *l = &ps.lay[i];
	u64 dst = take_allow(l, pages);

	job_init(j, i, PS_HELD, SVA_OP_FILL, 0, dst, pages * PG, ps__rand(),
		 record_a(l), SVA_ST_PAGE_FAULT);
}

/* --- checking --- */

static const char *const kind_names[] = {
	[PS_FILL] = "FILL",
	[PS_COPY] = "COPY",
	[PS_COMPARE] = "COMPARE",
	[PS_BAD_FILL] = "FILL->refused",
	[PS_BAD_COPY_DST] = "COPY->refused",
	[PS_BAD_COPY_SRC] = "COPY refused->",
	[PS_HELD] = "FILL(detached)",
	[PS_TIMED] = "FILL(timed out)",
};

void ps__job_wrong(struct ps_job *j, const char *fmt, ...)
{
	va_list ap;

	ps.jobs_wrong++;
	if (ps.wrong_printed++ >= WRONG_PRINTS)
		return;
	printf("  WRONG job %llu %s pasid %u src %#llx dst %#llx len %u: ",
	       (unsigned long long)j->d.user, kind_names[j->kind],
	       ps.spaces[j->space].pasid, (unsigned long long)j->d.src,
	       (unsigned long long)j->d.dst, j->d.len);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

bool ps__resolve(struct ps_job *j)
{
	struct pgtable_walk w;

	if (j->rec)
		return true;
	if (pgtable__lookup(&ps.spaces[j->space].pt, j->cmpl, &w))
		return false;
	j->rec = (volatile struct sva_completion *)(uintptr_t)w.pa;
	return true;
}

/* repe scasq: the 8-byte words at p that equal w, from the start. */
static u64 words_equal(const u64 *p, u64 n, u64 w)
{
	u64 left = n;

	if (!n)
		return 0;
	asm volatile("cld; repe scasq"
		     : "+D"(p), "+c"(left) : "a"(w) : "memory", "cc");
	/* It stops after the first unequal word, or after the last one. */
	if (!left && p[-1] == w)
		return n;
	return n - left - 1;
}

/* True if every byte at address x in [p, p + n) is byte (x & 7) of w. */
static bool region_is(const u8 *p, u64 n, u64 w)
{
	u64 words;

	for (; n && ((uintptr_t)p & 7); p++, n--)
		if (*p != pattern_byte(w, (uintptr_t)p))
			return false;
	words = n / 8;
	if (words_equal((const u64 *)p, words, w) != words)
		return false;
	p += words * 8;
	n -= words * 8;
	for (; n; p++, n--)
		if (*p != pattern_byte(w, (uintptr_t)p))
			return false;
	return true;
}

static u64 rotr(u64 x, u32 bits)
{
	bits &= 63;
	return bits ? x >> bits | x << (64 - bits) : x;
}

/* The bytes [va, va + len) of space i hold the pattern from `phase` on,
 * and the rest of their pages is zero. */
static bool check_data(struct ps_job *j, u64 va, u32 len, u64 pattern,
		       u32 phase)
{
	const struct pgtable *pt = &ps.spaces[j->space].pt;
	u64 w = rotr(pattern, 8 * ((phase - va) & 7)), end = va + len;

	for (u64 pg = ALIGN_DOWN(va, PG); pg < end; pg += PG) {
		u64 lo = MAX(va, pg), hi = MIN(end, pg + PG);
		struct pgtable_walk walk;
		const u8 *p;

		if (pgtable__lookup(pt, pg, &walk)) {
			ps__job_wrong(j, "page %#llx of its data is unmapped",
				      (unsigned long long)pg);
			return false;
		}
		p = (const u8 *)(uintptr_t)(walk.pa & ~(PG - 1));
		if (!region_is(p, lo - pg, 0) ||
		    !region_is(p + (lo - pg), hi - lo, w) ||
		    !region_is(p + (hi - pg), pg + PG - hi, 0)) {
			ps__job_wrong(j, "wrong data in page %#llx",
				      (unsigned long long)pg);
			return false;
		}
	}
	return true;
}

static bool in_pages(u64 a, u64 start, u32 len)
{
	return a >= ALIGN_DOWN(start, PG) && a < ALIGN_UP(start + len, PG);
}

/* Refused pages never mapped; allowed destination pages, if the handler
 * mapped some before the refusal, untouched. */
static bool check_refused(struct ps_job *j)
{
	const struct pgtable *pt = &ps.spaces[j->space].pt;
	u64 ranges[2] = { j->d.dst, j->d.op == SVA_OP_COPY ? j->d.src : 0 };

	for (int r = 0; r < 2; r++) {
		u64 start = ranges[r];

		if (!start)
			continue;
		for (u64 pg = ALIGN_DOWN(start, PG); pg < start + j->d.len;
		     pg += PG) {
			struct pgtable_walk w;
			bool refused = pg >= PS_REFUSE_BASE &&
				       pg < PS_REFUSE_BASE + PS_REFUSE_SIZE;

			if (pgtable__lookup(pt, pg, &w))
				continue;
			if (refused) {
				ps__job_wrong(j, "refused page %#llx mapped",
					      (unsigned long long)pg);
				return false;
			}
			if (start == j->d.dst &&
			    !region_is((const u8 *)(uintptr_t)w.pa, PG, 0)) {
				ps__job_wrong(j, "a refused job wrote %#llx",
					      (unsigned long long)pg);
				return false;
			}
		}
	}
	return true;
}

static void check_job(struct ps_job *j)
{
	volatile struct sva_completion *r = j->rec;
	u8 st = r->status;
	u32 bytes = r->bytes;
	u64 fault = r->fault_addr, result = r->result, user = r->user;

	if (user != j->d.user) {
		ps__job_wrong(j, "record user %#llx", (unsigned long long)user);
		return;
	}
	if (st != j->expect) {
		ps__job_wrong(j, "status %s (%u), want %s; bytes %u fault "
			      "%#llx", sva__status_str(st), st,
			      sva__status_str(j->expect), bytes,
			      (unsigned long long)fault);
		return;
	}
	switch (st) {
	case SVA_ST_SUCCESS:
		if (bytes != j->d.len || result != NO_DIFF || fault) {
			ps__job_wrong(j, "bytes %u result %#llx fault %#llx",
				      bytes, (unsigned long long)result,
				      (unsigned long long)fault);
			return;
		}
		if (j->d.op != SVA_OP_COMPARE &&
		    !check_data(j, j->d.dst, j->d.len, j->pattern, j->phase))
			return;
		ps.jobs_ok++;
		return;
	case SVA_ST_MISMATCH:
		if (result != j->expect_result || bytes != result) {
			ps__job_wrong(j, "mismatch at %#llx (bytes %u), want "
				      "%llu", (unsigned long long)result, bytes,
				      (unsigned long long)j->expect_result);
			return;
		}
		ps.jobs_ok++;
		return;
	default:	/* PAGE_FAULT */
		if (bytes || (fault & (PG - 1)) ||
		    !(in_pages(fault, j->d.dst, j->d.len) ||
		      (j->d.op == SVA_OP_COPY &&
		       in_pages(fault, j->d.src, j->d.len)))) {
			ps__job_wrong(j, "bytes %u fault_addr %#llx", bytes,
				      (unsigned long long)fault);
			return;
		}
		if (check_refused(j))
			ps.jobs_failed++;
		return;
	}
}

void ps__check_job(struct ps_job *j)
{
	if (!ps__resolve(j) || !j->rec->status)
		ps__job_wrong(j, "no completion record");
	else
		check_job(j);
}

/* --- running --- */

u32 ps__drain_events(const char *why)
{
	struct virtio_iommu_fault f;
	u32 n = 0;

	while (viommu__event_poll(&ps.vi, &f) > 0) {
		if (n++ < 4)
			printf("  fault report (%s): %s flags %#x endpoint %#x "
			       "pasid %u address %#llx\n", why,
			       viommu__fault_reason_str(f.reason), f.flags,
			       f.endpoint, f.pasid,
			       (unsigned long long)f.address);
	}
	return n;
}

static void dump_stuck(struct ps_job *jobs, u32 n)
{
	u32 shown = 0;

	printf("  stuck: COMPLETED %u LOST %u PRI status %#x; handler: %u "
	       "pages lent, %llu records, %llu groups\n",
	       sva__completed(&ps.sva), sva__lost(&ps.sva),
	       sva__pri_status(&ps.sva), ps.h.pool_used,
	       (unsigned long long)ps.h.st.records,
	       (unsigned long long)ps.h.st.groups);
	for (u32 k = 0; k < n && shown < 8; k++) {
		struct ps_job *j = &jobs[k];

		if (j->state == PS_DONE)
			continue;
		printf("    job %llu %s pasid %u %s, record %s\n",
		       (unsigned long long)j->d.user, kind_names[j->kind],
		       ps.spaces[j->space].pasid,
		       j->state == PS_PENDING ? "not submitted" : "submitted",
		       j->rec ? "mapped" : "unmapped");
		shown++;
	}
}

/* Looks at the records of submitted jobs; returns how many finished. */
static u32 reap(struct ps_job *jobs, u32 n)
{
	u32 done = 0;

	for (u32 k = 0; k < n; k++) {
		struct ps_job *j = &jobs[k];

		if (j->state != PS_SUBMITTED || !ps__resolve(j) ||
		    !j->rec->status)
			continue;
		j->state = PS_DONE;
		check_job(j);
		done++;
	}
	return done;
}

static int timed_out(struct ps_job *jobs, u32 n)
{
	printf(PS_PROG ": jobs did not finish in time\n");
	dump_stuck(jobs, n);
	for (u32 k = 0; k < n; k++)
		if (jobs[k].state != PS_DONE) {
			jobs[k].state = PS_DONE;
			ps__job_wrong(&jobs[k], "did not finish");
		}
	sva__reset(&ps.sva, 2000);
	ps.aborted = true;
	return -ETIMEDOUT;
}

int ps__run(struct ps_job *jobs, u32 n)
{
	u64 deadline = tsc__deadline(PS_PHASE_MS + n * PS_JOB_MS);
	u32 next = 0, done = 0, seen = sva__completed(&ps.sva), now;
	int ret;

	ps.jobs_total += n;
	while (done < n) {
		while (next < n) {
			struct ps_job *j = &jobs[next];

			ret = sva__submit(&ps.sva, &j->d);
			if (ret == SVA_SUBMIT_BUSY)
				break;
			next++;
			if (ret == SVA_SUBMIT_OK) {
				j->state = PS_SUBMITTED;
				continue;
			}
			j->state = PS_DONE;
			done++;
			ps__job_wrong(j, "SUBMIT says %d", ret);
		}
		ret = prq_handler__poll(&ps.h);
		if (ret < 0) {
			printf(PS_PROG ": page-request handler: %d\n", ret);
			return timed_out(jobs, n);
		}
		now = sva__completed(&ps.sva);
		if (now != seen) {
			seen = now;
			done += reap(jobs, n);
		} else if (!ret) {
			cpu_relax();
		}
		if (done < n && tsc__expired(deadline))
			return timed_out(jobs, n);
	}
	ps.events_unexpected += ps__drain_events("unexpected");
	return 0;
}

bool ps__phase_fail(bool *ok, const char *phase, const char *fmt, ...)
{
	va_list ap;

	printf("  %s check failed: ", phase);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	*ok = false;
	return false;
}

int ps__submit_held(struct ps_job *jobs, u32 k, u32 ms)
{
	u64 deadline = tsc__deadline(ms);
	u32 next = 0;

	while (next < k) {
		int ret = sva__submit(&ps.sva, &jobs[next].d);

		if (ret == SVA_SUBMIT_OK) {
			jobs[next++].state = PS_SUBMITTED;
			continue;
		}
		if (ret != SVA_SUBMIT_BUSY || tsc__expired(deadline)) {
			printf("  held jobs: SUBMIT says %d\n", ret);
			return -EIO;
		}
		if (prq_handler__poll(&ps.h) < 0)
			return -EIO;
	}
	return 0;
}
