// SPDX-License-Identifier: GPL-2.0
/* mock-pri: the phases (see mp.h). */
#include <errno.h>
#include <string.h>

#include "console.h"
#include "cpu.h"
#include "fmt.h"
#include "mp.h"
#include "pgtable.h"
#include "sva.h"		/* PRI status bits */
#include "tsc.h"

#define V		MSVA_DB_PASID_VALID
#define R		MSVA_ACC_READ
#define W		MSVA_ACC_WRITE
#define X		MSVA_ACC_EXEC
#define P		MSVA_ACC_PRIV
#define LAST		MSVA_DB_F_LAST
#define PG		4096ULL

static u32 pasid_reg(u32 pasid)
{
	return pasid ? V | pasid : 0;
}

/* The next ring's PRG index: every one of 0..511 comes round. */
static u32 next_group(void)
{
	return (u32)(mp.seq % MSVA_MAX_PRG);
}

/* Rings one request that must be raised; false (counted) if not. */
static bool ring_ok(u32 pasid, u32 access, u64 addr, u32 group)
{
	u32 st = mp_dev__ring(&mp.dev, pasid_reg(pasid), access, addr, group,
			      LAST);

	mp.seq++;
	if (!mp__check(st == MSVA_DB_OK,
		       "ring PASID %u access %#x addr %#llx group %u: %s",
		       pasid, access, (unsigned long long)addr, group,
		       mp_dev__status_str(st)))
		return false;
	mp.ex.raised++;
	return true;
}

void mp__check_counters(const char *when)
{
	const struct mp_expect *e = &mp.ex;
	const u64 *c = mp.dev.c;

	mp_dev__snapshot(&mp.dev);
	mp__check(c[MSVA_C_RAISED] == e->raised &&
		  c[MSVA_C_REJECTED] == e->rejected &&
		  !c[MSVA_C_HOST_ERRORS],
		  "%s: device raised %llu (want %llu), rejected %llu (want %llu), host errors %llu",
		  when, (unsigned long long)c[MSVA_C_RAISED],
		  (unsigned long long)e->raised,
		  (unsigned long long)c[MSVA_C_REJECTED],
		  (unsigned long long)e->rejected,
		  (unsigned long long)c[MSVA_C_HOST_ERRORS]);
	/* Every raised request reached the guest, once. */
	mp__check(c[MSVA_C_DELIVERED] == e->raised &&
		  c[MSVA_C_HOST_GROUPS] == e->raised,
		  "%s: vsva delivered %llu records, read %llu groups from the kernel; %llu were raised",
		  when, (unsigned long long)c[MSVA_C_DELIVERED],
		  (unsigned long long)c[MSVA_C_HOST_GROUPS],
		  (unsigned long long)e->raised);
	mp__check(c[MSVA_C_ANSWER_SUCCESS] == e->success &&
		  c[MSVA_C_ANSWER_INVALID] == e->invalid &&
		  c[MSVA_C_ANSWER_FAILURE] == e->failure &&
		  c[MSVA_C_ANSWER_DROPPED] == e->dropped,
		  "%s: vsva forwarded %llu/%llu/%llu (success/invalid/failure, want %llu/%llu/%llu), dropped %llu (want %llu)",
		  when, (unsigned long long)c[MSVA_C_ANSWER_SUCCESS],
		  (unsigned long long)c[MSVA_C_ANSWER_INVALID],
		  (unsigned long long)c[MSVA_C_ANSWER_FAILURE],
		  (unsigned long long)e->success,
		  (unsigned long long)e->invalid,
		  (unsigned long long)e->failure,
		  (unsigned long long)c[MSVA_C_ANSWER_DROPPED],
		  (unsigned long long)e->dropped);
	mp__check(!c[MSVA_C_HOST_REFUSED] && !c[MSVA_C_WRITE_ERRORS] &&
		  c[MSVA_C_AUTO_ANSWERED] == e->auto_answered,
		  "%s: the kernel refused %llu answers, %llu write errors, %llu groups answered without the guest (want %llu)",
		  when, (unsigned long long)c[MSVA_C_HOST_REFUSED],
		  (unsigned long long)c[MSVA_C_WRITE_ERRORS],
		  (unsigned long long)c[MSVA_C_AUTO_ANSWERED],
		  (unsigned long long)e->auto_answered);
}

/* --- rings the device refuses --- */

struct db_case {
	const char *what;
	u32 pasid, access;
	u64 addr;
	u32 group, flags, want;
};

void mp__doorbell_checks(void)
{
	static const struct db_case cases[] = {
		{ "misaligned address", V | MP_PASID, R,
		  MP_ALLOW_BASE + 0x10, 1, LAST, MSVA_DB_BAD },
		{ "PRG index 512", V | MP_PASID, R, MP_ALLOW_BASE, 512, LAST,
		  MSVA_DB_BAD },
		{ "PASID 0 marked valid", V, R, MP_ALLOW_BASE, 1, LAST,
		  MSVA_DB_BAD },
		{ "PASID beyond 20 bits", V | (1U << 20), R, MP_ALLOW_BASE, 1,
		  LAST, MSVA_DB_BAD },
		{ "PASID without the valid bit", MP_PASID, R, MP_ALLOW_BASE,
		  1, LAST, MSVA_DB_BAD },
		{ "neither read nor write", V | MP_PASID, X, MP_ALLOW_BASE, 1,
		  LAST, MSVA_DB_BAD },
		{ "unknown access bit", V | MP_PASID, R | 0x10, MP_ALLOW_BASE,
		  1, LAST, MSVA_DB_BAD },
		{ "privileged without a PASID", 0, R | P, MP_ALLOW_BASE, 1,
		  LAST, MSVA_DB_BAD },
		{ "unknown flag", V | MP_PASID, R, MP_ALLOW_BASE, 1, LAST | 2,
		  MSVA_DB_BAD },
		{ "LAST clear (a multi-record group)", V | MP_PASID, R,
		  MP_ALLOW_BASE, 1, 0, MSVA_DB_UNSUPP },
	};
	u32 st;

	for (u32 i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct db_case *k = &cases[i];

		st = mp_dev__ring(&mp.dev, k->pasid, k->access, k->addr,
				  k->group, k->flags);
		mp__check(st == k->want, "doorbell, %s: %s (want %s)", k->what,
			  mp_dev__status_str(st), mp_dev__status_str(k->want));
		mp.ex.rejected++;
	}
	mp_dev__ctrl(&mp.dev, false);
	st = mp_dev__ring(&mp.dev, V | MP_PASID, R, MP_ALLOW_BASE, 1, LAST);
	mp__check(st == MSVA_DB_DISABLED, "doorbell with CTRL.ENABLE clear: %s",
		  mp_dev__status_str(st));
	mp.ex.rejected++;
	mp_dev__ctrl(&mp.dev, true);
	mp__check_counters("doorbell checks");
}

/* --- rounds, answered by lib/prq.c --- */

struct mp_ring {
	u8 kind;		/* enum mp_kind */
	u32 access;
	u64 addr;
};

static const u32 accesses[] = { R, W, R | W, W | P, R | X, R | X | P };

static u8 pick_kind(void)
{
	u32 roll = (u32)(mp__rand() % 100);

	if (roll < mp.p.invalid / 2)
		return MP_REFUSED;
	if (roll < mp.p.invalid)
		return MP_UNBOUND;
	return MP_FRESH;
}

/* Polls lib/prq.c until @n more records came in (or the deadline). */
static bool serve_until(u64 records0, u64 n, u32 ms)
{
	u64 deadline = tsc__deadline(ms);

	while (mp.h.st.records - records0 < n && !tsc__expired(deadline))
		if (prq_handler__poll(&mp.h) <= 0)
			cpu_relax();
	/* A little longer: a duplicate would show up now. */
	deadline = tsc__deadline(20);
	while (!tsc__expired(deadline))
		if (prq_handler__poll(&mp.h) <= 0)
			cpu_relax();
	return mp.h.st.records - records0 == n;
}

/* The page of a FRESH ring is mapped as asked: writable for a write,
 * supervisor-only for a privileged request. */
static bool mapped_as_asked(const struct mp_ring *g)
{
	struct pgtable_walk w;

	if (pgtable__lookup(&mp.spaces[0].pt, g->addr, &w))
		return mp__check(false, "page %#llx not mapped after Success",
				 (unsigned long long)g->addr);
	return mp__check(!!(w.pte & PTE_W) == !!(g->access & W) &&
			 !!(w.pte & PTE_U) == !(g->access & P),
			 "page %#llx mapped with PTE %#llx for access %#x",
			 (unsigned long long)g->addr,
			 (unsigned long long)w.pte, g->access);
}

int mp__round(u32 r)
{
	struct mp_ring rings[MP_MAX_BATCH];
	struct prq_stats s0 = mp.h.st;
	u32 nk[MP__KINDS] = { 0 }, n = 0;
	const struct prq_stats *s = &mp.h.st;
	char when[32];
	bool ok;

	for (u32 i = 0; i < mp.p.batch; i++) {
		struct mp_ring *g = &rings[n];
		u64 page = mp.seq * PG;
		u32 pasid = MP_PASID;

		g->kind = pick_kind();
		g->access = accesses[mp__rand() % ARRAY_SIZE(accesses)];
		g->addr = (g->kind == MP_REFUSED ? MP_REFUSE_BASE :
			   MP_ALLOW_BASE) + page;
		if (g->kind == MP_UNBOUND)
			pasid = MP_PASID_UNBOUND;
		if (!ring_ok(pasid, g->access, g->addr, next_group()))
			continue;
		nk[g->kind]++;
		n++;
	}
	mp.ex.success += nk[MP_FRESH];
	mp.ex.invalid += nk[MP_REFUSED] + nk[MP_UNBOUND];

	ok = mp__check(serve_until(s0.records, n, MP_WAIT_MS + 20 * n),
		       "round %u: %llu records for %u rings", r,
		       (unsigned long long)(s->records - s0.records), n);
	ok &= mp__check(s->groups - s0.groups == n &&
			s->size_hist[1] - s0.size_hist[1] == n &&
			s->bad_records == s0.bad_records,
			"round %u: %llu groups (%llu of one record), %llu bad records",
			r, (unsigned long long)(s->groups - s0.groups),
			(unsigned long long)(s->size_hist[1] -
					     s0.size_hist[1]),
			(unsigned long long)(s->bad_records -
					     s0.bad_records));
	ok &= mp__check(s->answered[VSVA_PAGE_RESP_SUCCESS] -
			s0.answered[VSVA_PAGE_RESP_SUCCESS] == nk[MP_FRESH] &&
			s->answered[VSVA_PAGE_RESP_INVALID] -
			s0.answered[VSVA_PAGE_RESP_INVALID] ==
			nk[MP_REFUSED] + nk[MP_UNBOUND] &&
			s->resp_errors == s0.resp_errors,
			"round %u: answered %llu success / %llu invalid (want %u / %u), %llu not OK",
			r,
			(unsigned long long)(s->answered[0] - s0.answered[0]),
			(unsigned long long)(s->answered[1] - s0.answered[1]),
			nk[MP_FRESH], nk[MP_REFUSED] + nk[MP_UNBOUND],
			(unsigned long long)(s->resp_errors - s0.resp_errors));
	ok &= mp__check(s->mapped - s0.mapped == nk[MP_FRESH] &&
			s->refused_pages - s0.refused_pages == nk[MP_REFUSED] &&
			s->unbound - s0.unbound == nk[MP_UNBOUND],
			"round %u: mapped %llu, refused %llu, unbound %llu (want %u, %u, %u)",
			r, (unsigned long long)(s->mapped - s0.mapped),
			(unsigned long long)(s->refused_pages -
					     s0.refused_pages),
			(unsigned long long)(s->unbound - s0.unbound),
			nk[MP_FRESH], nk[MP_REFUSED], nk[MP_UNBOUND]);
	for (u32 i = 0; i < n; i++)
		if (rings[i].kind == MP_FRESH)
			ok &= mapped_as_asked(&rings[i]);
	if (ok) {
		mp.rings_ok += nk[MP_FRESH];
		mp.rings_invalid += nk[MP_REFUSED] + nk[MP_UNBOUND];
	}
	fmt__snprintf(when, sizeof(when), "round %u", r);
	mp__check_counters(when);
	/* The next round finds every page unmapped again. */
	if (!mp__check(!prq_handler__unmap_all(&mp.h),
		       "round %u: unmap and INVALIDATE", r))
		return -EIO;
	mp.rounds++;
	return ok ? 0 : -EIO;
}

/* --- records answered here --- */

static int take(struct virtio_iommu_page_req *recs, u32 n)
{
	u64 deadline = tsc__deadline(MP_WAIT_MS);
	u32 got = 0;

	while (got < n && !tsc__expired(deadline)) {
		int ret = viommu__prq_poll(&mp.vi, &recs[got]);

		if (ret < 0)
			return ret;
		if (!ret)
			cpu_relax();
		else
			got++;
	}
	mp.manual_records += got;
	return (int)got;
}

static int answer(const struct virtio_iommu_page_req *r, u32 endpoint,
		  u32 pasid, u16 code)
{
	struct virtio_iommu_req_page_resp resp = {
		.head.type = VIRTIO_IOMMU_T_PAGE_RESP,
		.endpoint = endpoint,
		.pasid = pasid,
		.flags = (r->flags & VSVA_PRQ_F_PASID_VALID) ?
			 VSVA_PAGE_RESP_F_PASID_VALID : 0,
		.tag = r->tag,
		.code = code,
	};
	int st = viommu__request(&mp.vi, &resp, sizeof(resp),
				 sizeof(resp.tail));

	if (st == VIRTIO_IOMMU_S_OK)
		mp.manual_answers++;
	return st;
}

/* The record whose address is @addr, or NULL. */
static const struct virtio_iommu_page_req *
find_rec(const struct virtio_iommu_page_req *recs, int n, u64 addr)
{
	for (int i = 0; i < n; i++)
		if (recs[i].address == addr)
			return &recs[i];
	return NULL;
}

static bool rec_is(const struct virtio_iommu_page_req *r, u32 pasid,
		   u32 flags, u32 group, const char *what)
{
	u32 want = flags | VSVA_PRQ_F_LAST |
		   (pasid ? VSVA_PRQ_F_PASID_VALID : 0);

	if (!r)
		return mp__check(false, "%s: no record", what);
	return mp__check(r->endpoint == mp.dev.ep &&
			 r->pasid == pasid && r->flags == want &&
			 r->group == group && r->tag && !r->reserved,
			 "%s: record endpoint %#x PASID %u flags %#x group %u tag %#x (want %#x, %u, %#x, %u)",
			 what, r->endpoint, r->pasid, r->flags, r->group,
			 r->tag, mp.dev.ep, pasid, want, group);
}

/*
 * Three requests answered by hand: one without a PASID (Success), one
 * answered twice (the second is refused by vsva: the kernel gets one
 * answer), one answered first for the wrong PASID (refused) and then
 * Response Failure (the device's PRI stops until reset).
 */
int mp__manual_phase(void)
{
	struct virtio_iommu_page_req recs[4];
	const struct virtio_iommu_page_req *a, *b, *c;
	u64 pa = MP_ALLOW_BASE + mp.seq * PG;
	u64 pb = pa + PG, pc = pa + 2 * PG;
	u32 ga = next_group(), gb = (ga + 1) % MSVA_MAX_PRG,
	    gc = (ga + 2) % MSVA_MAX_PRG;
	int n, st;
	u16 sts;

	if (!ring_ok(0, R, pa, ga) || !ring_ok(MP_PASID, W, pb, gb) ||
	    !ring_ok(MP_PASID, R | X, pc, gc))
		return -EIO;
	n = take(recs, 3);
	if (!mp__check(n == 3, "manual phase: %d records of 3", n))
		return -EIO;
	a = find_rec(recs, n, pa);
	b = find_rec(recs, n, pb);
	c = find_rec(recs, n, pc);
	if (!rec_is(a, 0, VSVA_PRQ_F_READ, ga, "no PASID") ||
	    !rec_is(b, MP_PASID, VSVA_PRQ_F_WRITE, gb, "write") ||
	    !rec_is(c, MP_PASID, VSVA_PRQ_F_READ | VSVA_PRQ_F_EXEC, gc,
		    "read+exec"))
		return -EIO;
	mp__check(a->tag != b->tag && b->tag != c->tag && a->tag != c->tag,
		  "manual phase: tags %#x %#x %#x not distinct", a->tag,
		  b->tag, c->tag);

	st = answer(a, a->endpoint, 0, VSVA_PAGE_RESP_SUCCESS);
	mp__check(st == VIRTIO_IOMMU_S_OK, "answer without PASID: %s",
		  viommu__status_str(st));
	mp.ex.success++;

	st = answer(b, b->endpoint, b->pasid, VSVA_PAGE_RESP_SUCCESS);
	mp__check(st == VIRTIO_IOMMU_S_OK, "first answer: %s",
		  viommu__status_str(st));
	mp.ex.success++;
	st = answer(b, b->endpoint, b->pasid, VSVA_PAGE_RESP_SUCCESS);
	mp__check(st == VIRTIO_IOMMU_S_NOENT,
		  "second answer to the same group: %s (want NOENT)",
		  viommu__status_str(st));
	mp.ex.dropped++;

	st = answer(c, c->endpoint, MP_PASID_UNBOUND, VSVA_PAGE_RESP_SUCCESS);
	mp__check(st == VIRTIO_IOMMU_S_INVAL,
		  "answer naming another PASID: %s (want INVAL)",
		  viommu__status_str(st));
	mp.ex.dropped++;
	st = answer(c, c->endpoint, c->pasid, VSVA_PAGE_RESP_FAILURE);
	mp__check(st == VIRTIO_IOMMU_S_OK, "Response Failure: %s",
		  viommu__status_str(st));
	mp.ex.failure++;

	/* PCIe: Response Failure stops the PRI until it is reset. */
	sts = mp_dev__pri_status(&mp.dev);
	mp__check(sts & PCI_PRI_STATUS_RF, "PRI status %#x: RF not set", sts);
	st = (int)mp_dev__ring(&mp.dev, V | MP_PASID, R, pc + PG,
			       next_group(), LAST);
	mp__check(st == MSVA_DB_DISABLED, "ring with RF set: %s (want DISABLED)",
		  mp_dev__status_str((u32)st));
	mp.ex.rejected++;
	mp_dev__pri_reset(&mp.dev);
	sts = mp_dev__pri_status(&mp.dev);
	mp__check(!(sts & (PCI_PRI_STATUS_RF | PCI_PRI_STATUS_UPRGI)),
		  "PRI status %#x after reset", sts);
	mp__check_counters("manual phase");
	return 0;
}

/* --- detach with requests outstanding --- */

int mp__detach_phase(void)
{
	u32 statuses[VIRTIO_IOMMU_S_NOMEM + 2] = { 0 };
	u64 deadline = tsc__deadline(MP_WAIT_MS);
	int sent, st;

	mp.spaces[0].hold = true;
	for (u32 i = 0; i < MP_DETACH_REQS; i++)
		if (!ring_ok(MP_PASID, W, MP_ALLOW_BASE + mp.seq * PG,
			     next_group()))
			return -EIO;
	while (prq_handler__nr_held(&mp.h, MP_PASID) < MP_DETACH_REQS &&
	       !tsc__expired(deadline))
		if (prq_handler__poll(&mp.h) <= 0)
			cpu_relax();
	if (!mp__check(prq_handler__nr_held(&mp.h, MP_PASID) ==
		       MP_DETACH_REQS, "detach phase: %u of %u held",
		       prq_handler__nr_held(&mp.h, MP_PASID), MP_DETACH_REQS))
		return -EIO;
	/* The kernel answers the outstanding requests itself when the
	 * table goes; vsva forgets their tags. */
	st = viommu__detach_table(&mp.vi, mp.dev.ep, MP_PASID);
	if (!mp__check(st == VIRTIO_IOMMU_S_OK, "DETACH_TABLE: %s",
		       viommu__status_str(st)))
		return -EIO;
	mp.spaces[0].bound = false;
	mp.ex.auto_answered += MP_DETACH_REQS;
	mp.detaches++;
	sent = prq_handler__answer_held(&mp.h, MP_PASID,
					VSVA_PAGE_RESP_SUCCESS, statuses);
	mp__check(sent == MP_DETACH_REQS &&
		  statuses[VIRTIO_IOMMU_S_NOENT] == MP_DETACH_REQS,
		  "late answers after the detach: %d sent, %u NOENT (want %u)",
		  sent, statuses[VIRTIO_IOMMU_S_NOENT], MP_DETACH_REQS);
	mp.ex.dropped += MP_DETACH_REQS;
	mp.spaces[0].hold = false;
	mp__check_counters("detach phase");
	return 0;
}
