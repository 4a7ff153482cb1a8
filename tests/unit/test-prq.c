// SPDX-License-Identifier: GPL-2.0
/*
 * Page-request queue translation (viommu/prq.c): splitting host fault
 * reads into groups, host record -> guest record, the generation-checked
 * tag table, guest PAGE_RESP validation, drains, auto-answers and response
 * batches with short writes.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include <vsva/prq.h>

#define PV	IOMMU_PGFAULT_FLAGS_PASID_VALID
#define LAST	IOMMU_PGFAULT_FLAGS_LAST_PAGE
#define EP1	0x10
#define EP2	0x20
#define DEV1	7
#define DEV2	8

/* The table is 200+ KiB: static, one per test process. */
static struct prq_table tab;
static struct prq_resp_batch batch;

static struct prq_host_fault hrec(u32 flags, u32 dev, u32 pasid, u32 grpid,
				  u32 perm, u64 addr, u32 cookie)
{
	return (struct prq_host_fault){
		.flags = flags, .dev_id = dev, .pasid = pasid, .grpid = grpid,
		.perm = perm, .addr = addr, .cookie = cookie,
	};
}

static struct prq_table *table(u32 cap)
{
	prq__init(&tab, cap);
	memset(&batch, 0, sizeof(batch));
	return &tab;
}

/* Raise a one-record group; returns the tag (asserts it was issued). */
static u32 raise1(struct prq_table *t, u32 ep, bool pv, u32 pasid,
		  u32 cookie)
{
	struct prq_host_fault f = hrec((pv ? PV : 0) | LAST, DEV1, pasid, 3,
				       IOMMU_PGFAULT_PERM_READ, 0x1000,
				       cookie);
	struct prq_group g = { .rec = &f, .nr = 1, .cookie = cookie };
	struct virtio_iommu_page_req out;
	int tag = prq__translate_group(t, &g, ep, 0, &out);

	cr_assert_geq(tag, (int)PRQ_MAX_TAGS, "tag %d", tag);
	cr_assert_eq(out.tag, (u32)tag);
	return (u32)tag;
}

static struct virtio_iommu_req_page_resp presp(u32 ep, bool pv, u32 pasid,
					       u32 tag, u16 code)
{
	return (struct virtio_iommu_req_page_resp){
		.head.type = VIRTIO_IOMMU_T_PAGE_RESP,
		.endpoint = ep, .pasid = pasid,
		.flags = pv ? VSVA_PAGE_RESP_F_PASID_VALID : 0,
		.tag = tag, .code = code,
	};
}

/*
 * Answer; on anything but OK assert that no host response was produced
 * (the sentinel stays).
 */
static u8 answer_r(struct prq_table *t,
		   const struct virtio_iommu_req_page_resp *r,
		   struct prq_host_resp *hr, bool *failure)
{
	u8 st;

	hr->cookie = 0xdeadbeef;
	hr->code = 0xdeadbeef;
	*failure = true;
	st = prq__guest_response(t, r, hr, failure);
	if (st != VIRTIO_IOMMU_S_OK) {
		cr_assert_eq(hr->cookie, 0xdeadbeef);
		cr_assert_eq(hr->code, 0xdeadbeef);
	}
	return st;
}

static u8 answer(struct prq_table *t, u32 ep, bool pv, u32 pasid, u32 tag,
		 u16 code, struct prq_host_resp *hr)
{
	struct virtio_iommu_req_page_resp r = presp(ep, pv, pasid, tag, code);
	bool failure;

	return answer_r(t, &r, hr, &failure);
}

static u64 total_dropped(const struct prq_table *t)
{
	u64 n = 0;

	for (int i = 0; i < PRQ_DROP__COUNT; i++)
		n += t->stats.dropped[i];
	return n;
}

/* ------------------------------------------------------------------ */
/* prq__split */

Test(prq_split, empty_read)
{
	struct prq_host_fault f[1] = { 0 };
	struct prq_group g[1];
	size_t bad = 99;

	cr_assert_eq(prq__split(f, 0, g, 1, &bad), 0);
	cr_assert_eq(bad, 0);
}

Test(prq_split, groups_of_1_3_and_max)
{
	static struct prq_host_fault f[1 + 3 + PRQ_MAX_GROUP];
	struct prq_group g[8];
	size_t bad = 99;
	int n, i;

	f[0] = hrec(LAST, DEV1, 0, 1, 1, 0x1000, 5);
	for (i = 1; i <= 3; i++)
		f[i] = hrec(PV | (i == 3 ? LAST : 0), DEV2, 9, 2, 1,
			    0x2000 * i, 6);
	for (i = 4; i < 4 + PRQ_MAX_GROUP; i++)
		f[i] = hrec(i == 3 + PRQ_MAX_GROUP ? LAST : 0, DEV1, 0, 3, 2,
			    0x1000 * i, 1);
	n = prq__split(f, sizeof(f), g, 8, &bad);
	cr_assert_eq(n, 3);
	cr_assert_eq(bad, 0);
	cr_assert_eq(g[0].rec, &f[0]);
	cr_assert_eq(g[0].nr, 1);
	cr_assert_eq(g[0].cookie, 5);
	cr_assert_eq(g[1].rec, &f[1]);
	cr_assert_eq(g[1].nr, 3);
	cr_assert_eq(g[1].cookie, 6);
	cr_assert_eq(g[2].rec, &f[4]);
	cr_assert_eq(g[2].nr, PRQ_MAX_GROUP);
	cr_assert_eq(g[2].cookie, 1);
}

Test(prq_split, same_cookie_twice_is_two_groups)
{
	struct prq_host_fault f[2] = {
		hrec(LAST, DEV1, 0, 1, 1, 0x1000, 4),
		hrec(LAST, DEV1, 0, 1, 1, 0x2000, 4),
	};
	struct prq_group g[2];
	size_t bad;

	cr_assert_eq(prq__split(f, sizeof(f), g, 2, &bad), 2);
	cr_assert_eq(g[1].rec, &f[1]);
}

Test(prq_split, length_not_multiple_of_40)
{
	static struct prq_host_fault f[4];
	struct prq_group g[4];
	size_t lens[] = { 1, 39, 41, 79, 81, 40 * 3 + 8, 40 * 4 - 1 };

	for (int i = 0; i < 4; i++)
		f[i] = hrec(LAST, DEV1, 0, 1, 1, 0x1000, i + 1);
	for (size_t i = 0; i < ARRAY_SIZE(lens); i++) {
		size_t bad = 0;

		cr_assert_eq(prq__split(f, lens[i], g, 4, &bad), -EINVAL,
			     "len %zu", lens[i]);
		cr_assert_eq(bad, lens[i]);
	}
}

Test(prq_split, group_without_last_at_end_of_read)
{
	struct prq_host_fault f[3] = {
		hrec(LAST, DEV1, 0, 1, 1, 0x1000, 1),
		hrec(0, DEV1, 0, 2, 1, 0x2000, 2),
		hrec(0, DEV1, 0, 2, 1, 0x3000, 2),
	};
	struct prq_group g[3];
	size_t bad = 0;

	cr_assert_eq(prq__split(f, sizeof(f), g, 3, &bad), -EINVAL);
	cr_assert_eq(bad, sizeof(f));
	/* The single record without LAST */
	cr_assert_eq(prq__split(&f[1], sizeof(f[1]), g, 3, &bad), -EINVAL);
	cr_assert_eq(bad, sizeof(f[1]));
	/* LAST in bits other than bit 1 is not LAST */
	f[2].flags = ~(u32)LAST;
	cr_assert_eq(prq__split(f, sizeof(f), g, 3, &bad), -EINVAL);
}

Test(prq_split, cookie_change_mid_group)
{
	struct prq_host_fault f[2] = {
		hrec(0, DEV1, 0, 1, 1, 0x1000, 1),
		hrec(LAST, DEV1, 0, 1, 1, 0x2000, 2),
	};
	struct prq_group g[2];
	size_t bad = 0;

	cr_assert_eq(prq__split(f, sizeof(f), g, 2, &bad), -EINVAL);
	cr_assert_eq(bad, sizeof(f));
	f[1].cookie = 1;
	cr_assert_eq(prq__split(f, sizeof(f), g, 2, &bad), 1);
	cr_assert_eq(bad, 0);
	cr_assert_eq(g[0].nr, 2);
}

Test(prq_split, device_change_mid_group)
{
	struct prq_host_fault f[2] = {
		hrec(0, DEV1, 0, 1, 1, 0x1000, 1),
		hrec(LAST, DEV2, 0, 1, 1, 0x2000, 1),
	};
	struct prq_group g[2];
	size_t bad = 0;

	cr_assert_eq(prq__split(f, sizeof(f), g, 2, &bad), -EINVAL);
	cr_assert_eq(bad, sizeof(f));
	f[1].dev_id = DEV1;
	cr_assert_eq(prq__split(f, sizeof(f), g, 2, &bad), 1);
}

Test(prq_split, group_longer_than_max)
{
	static struct prq_host_fault f[PRQ_MAX_GROUP + 1];
	struct prq_group g[2];
	size_t bad = 0;

	for (int i = 0; i <= PRQ_MAX_GROUP; i++)
		f[i] = hrec(i == PRQ_MAX_GROUP ? LAST : 0, DEV1, 0, 1, 1,
			    0x1000, 1);
	cr_assert_eq(prq__split(f, sizeof(f), g, 2, &bad), -EINVAL);
	cr_assert_eq(bad, sizeof(f));
	/* the same, one shorter, is fine */
	f[PRQ_MAX_GROUP - 1].flags = LAST;
	cr_assert_eq(prq__split(f, sizeof(f) - sizeof(f[0]), g, 2, &bad), 1);
	cr_assert_eq(g[0].nr, PRQ_MAX_GROUP);
}

Test(prq_split, good_group_then_bad_one_uses_nothing)
{
	struct prq_host_fault f[3] = {
		hrec(LAST, DEV1, 0, 1, 1, 0x1000, 1),
		hrec(0, DEV1, 0, 2, 1, 0x2000, 2),
		hrec(LAST, DEV1, 0, 2, 1, 0x3000, 3),
	};
	struct prq_group g[3];
	size_t bad = 0;

	cr_assert_eq(prq__split(f, sizeof(f), g, 3, &bad), -EINVAL);
	cr_assert_eq(bad, sizeof(f));
}

Test(prq_split, more_groups_than_room)
{
	struct prq_host_fault f[3] = {
		hrec(LAST, DEV1, 0, 1, 1, 0x1000, 1),
		hrec(LAST, DEV1, 0, 2, 1, 0x2000, 2),
		hrec(LAST, DEV1, 0, 3, 1, 0x3000, 3),
	};
	struct prq_group g[3];
	size_t bad = 99;

	cr_assert_eq(prq__split(f, sizeof(f), g, 2, &bad), -ENOSPC);
	cr_assert_eq(bad, 0, "the host's records were fine");
	cr_assert_eq(prq__split(f, sizeof(f), g, 3, &bad), 3);
	cr_assert_eq(g[2].cookie, 3);
}

/* ------------------------------------------------------------------ */
/* host record -> guest record */

static u32 expect_flags(u32 hflags, u32 perm, bool last)
{
	u32 fl = last ? VSVA_PRQ_F_LAST : 0;

	if (hflags & 1)
		fl |= VSVA_PRQ_F_PASID_VALID;
	if (perm & 1)
		fl |= VSVA_PRQ_F_READ;
	if (perm & 2)
		fl |= VSVA_PRQ_F_WRITE;
	if (perm & 4)
		fl |= VSVA_PRQ_F_EXEC;
	if (perm & 8)
		fl |= VSVA_PRQ_F_PRIV;
	return fl;
}

Test(prq_translate, every_perm_combination_with_and_without_pasid)
{
	struct prq_table *t = table(PRQ_MAX_TAGS);
	struct virtio_iommu_page_req out;

	/* spot-check the expected mapping itself against the ABI numbers */
	cr_assert_eq(expect_flags(1, 0xf, true), 0x3f);
	cr_assert_eq(expect_flags(0, 2, false), 1 << 3);

	for (u32 pv = 0; pv < 2; pv++) {
		for (u32 perm = 0; perm < 16; perm++) {
			struct prq_host_fault f = hrec(LAST | pv, DEV1, 42, 9,
						       perm, 0x5000, 77);
			struct prq_group g = { &f, 1, 77 };
			int tag = prq__translate_group(t, &g, EP1, 0, &out);

			cr_assert_geq(tag, (int)PRQ_MAX_TAGS);
			cr_assert_eq(out.flags, expect_flags(pv, perm, true),
				     "pv %u perm %#x: %#x", pv, perm,
				     out.flags);
			cr_assert_eq(out.pasid, pv ? 42 : 0);
		}
	}
	cr_assert_eq(t->stats.masked_flags, 0);
	cr_assert_eq(t->stats.groups, 32);
	cr_assert_eq(t->stats.records, 32);
}

Test(prq_translate, single_bits)
{
	struct prq_table *t = table(64);
	static const struct {
		u32 flags, perm, want;
	} c[] = {
		{ LAST, 0, VSVA_PRQ_F_LAST },
		{ LAST | PV, 0, VSVA_PRQ_F_LAST | VSVA_PRQ_F_PASID_VALID },
		{ LAST, IOMMU_PGFAULT_PERM_READ, VSVA_PRQ_F_LAST | (1 << 2) },
		{ LAST, IOMMU_PGFAULT_PERM_WRITE, VSVA_PRQ_F_LAST | (1 << 3) },
		{ LAST, IOMMU_PGFAULT_PERM_EXEC, VSVA_PRQ_F_LAST | (1 << 4) },
		{ LAST, IOMMU_PGFAULT_PERM_PRIV, VSVA_PRQ_F_LAST | (1 << 5) },
	};

	for (size_t i = 0; i < ARRAY_SIZE(c); i++) {
		struct prq_host_fault f = hrec(c[i].flags, DEV1, 1, 1,
					       c[i].perm, 0, 1);
		struct prq_group g = { &f, 1, 1 };
		struct virtio_iommu_page_req out;

		cr_assert_geq(prq__translate_group(t, &g, EP1, 0, &out), 0);
		cr_assert_eq(out.flags, c[i].want, "case %zu: %#x", i,
			     out.flags);
	}
}

Test(prq_translate, unknown_host_bits_masked_and_counted)
{
	struct prq_table *t = table(PRQ_MAX_TAGS);
	struct virtio_iommu_page_req out;
	u64 masked = 0;

	/* flag bits 2..31 (bit 2: VT-d's internal NEEDS_PASID) */
	for (u32 b = 2; b < 32; b++) {
		struct prq_host_fault f = hrec(LAST | PV | (1U << b), DEV1, 3,
					       1, IOMMU_PGFAULT_PERM_WRITE,
					       0x1000, 1);
		struct prq_group g = { &f, 1, 1 };

		cr_assert_geq(prq__translate_group(t, &g, EP1, 0, &out), 0);
		cr_assert_eq(out.flags, VSVA_PRQ_F_LAST |
			     VSVA_PRQ_F_PASID_VALID | VSVA_PRQ_F_WRITE,
			     "flag bit %u: %#x", b, out.flags);
		cr_assert_eq(t->stats.masked_flags, ++masked);
	}
	/* perm bits 4..31 */
	for (u32 b = 4; b < 32; b++) {
		struct prq_host_fault f = hrec(LAST, DEV1, 3, 1,
					       IOMMU_PGFAULT_PERM_EXEC |
					       (1U << b), 0x1000, 1);
		struct prq_group g = { &f, 1, 1 };

		cr_assert_geq(prq__translate_group(t, &g, EP1, 0, &out), 0);
		cr_assert_eq(out.flags, VSVA_PRQ_F_LAST | VSVA_PRQ_F_EXEC,
			     "perm bit %u: %#x", b, out.flags);
		cr_assert_eq(t->stats.masked_flags, ++masked);
	}
	/* every bit of both: still only the mapped ones, counted once */
	{
		struct prq_host_fault f = hrec(~0U, DEV1, 3, 1, ~0U, 0, 1);
		struct prq_group g = { &f, 1, 1 };

		cr_assert_geq(prq__translate_group(t, &g, EP1, 0, &out), 0);
		cr_assert_eq(out.flags, VSVA_PRQ_F_MASK);
		cr_assert_eq(t->stats.masked_flags, ++masked);
	}
}

Test(prq_translate, pasid_zeroed_when_not_valid)
{
	struct prq_table *t = table(8);
	struct prq_host_fault f = hrec(LAST, DEV1, 0x12345, 1, 1, 0, 1);
	struct prq_group g = { &f, 1, 1 };
	struct virtio_iommu_page_req out;
	int tag;

	tag = prq__translate_group(t, &g, EP1, 0, &out);
	cr_assert_geq(tag, 0);
	cr_assert_eq(out.pasid, 0);
	cr_assert_eq(out.flags & VSVA_PRQ_F_PASID_VALID, 0);
	cr_assert_eq(prq__lookup(t, (u32)tag)->pasid, 0);
	cr_assert_not(prq__lookup(t, (u32)tag)->pasid_valid);

	f.flags |= PV;
	tag = prq__translate_group(t, &g, EP1, 0, &out);
	cr_assert_eq(out.pasid, 0x12345);
	cr_assert_eq(prq__lookup(t, (u32)tag)->pasid, 0x12345);
	cr_assert(prq__lookup(t, (u32)tag)->pasid_valid);
}

Test(prq_translate, multi_record_group)
{
	struct prq_table *t = table(8);
	struct prq_host_fault f[5];
	struct virtio_iommu_page_req out[6];
	struct prq_group g = { f, 5, 0xabc };
	u64 addrs[5] = {
		0x1000, 0x2fff, 0x7ffffffff123ULL, 0xffffffffffffffffULL, 0x1,
	};
	struct prq_tag *s;
	int tag;

	for (int i = 0; i < 5; i++)
		f[i] = hrec(PV | (i == 4 ? LAST : 0), DEV1, 6, 0x1ff - i,
			    (u32)i % 16, addrs[i], 0xabc);
	memset(out, 0xff, sizeof(out));
	tag = prq__translate_group(t, &g, EP2, 123456789, out);
	cr_assert_geq(tag, (int)PRQ_MAX_TAGS);
	for (int i = 0; i < 5; i++) {
		cr_assert_eq(out[i].endpoint, EP2);
		cr_assert_eq(out[i].pasid, 6);
		cr_assert_eq(out[i].tag, (u32)tag);
		cr_assert_eq(out[i].address, addrs[i] & ~0xfffULL,
			     "rec %d: %#llx", i,
			     (unsigned long long)out[i].address);
		cr_assert_eq(out[i].group, 0x1ffu - i);
		cr_assert_eq(out[i].reserved, 0);
		cr_assert_eq(out[i].flags,
			     expect_flags(PV, (u32)i, i == 4), "rec %d", i);
	}
	/* nothing written past the group */
	cr_assert_eq(out[5].endpoint, 0xffffffff);

	s = prq__lookup(t, (u32)tag);
	cr_assert_not_null(s);
	cr_assert_eq(s->cookie, 0xabc);
	cr_assert_eq(s->endpoint, EP2);
	cr_assert_eq(s->pasid, 6);
	cr_assert(s->pasid_valid);
	cr_assert_eq(s->nr, 5);
	cr_assert_eq(s->t_read, 123456789);
	cr_assert_eq(t->stats.groups, 1);
	cr_assert_eq(t->stats.records, 5);
	cr_assert_eq(t->nr_live, 1);
}

Test(prq_translate, tag_bound_to_last_records_pasid)
{
	struct prq_table *t = table(8);
	struct prq_host_fault f[2] = {
		hrec(PV, DEV1, 4, 1, 1, 0x1000, 9),
		hrec(PV | LAST, DEV1, 5, 1, 1, 0x2000, 9),
	};
	struct prq_group g = { f, 2, 9 };
	struct virtio_iommu_page_req out[2];
	struct prq_host_resp hr;
	int tag = prq__translate_group(t, &g, EP1, 0, out);

	cr_assert_eq(out[0].pasid, 4);
	cr_assert_eq(out[1].pasid, 5);
	cr_assert_eq(answer(t, EP1, true, 4, (u32)tag, 0, &hr),
		     VIRTIO_IOMMU_S_INVAL);
	cr_assert_eq(answer(t, EP1, true, 5, (u32)tag, 0, &hr),
		     VIRTIO_IOMMU_S_OK);
}

Test(prq_translate, bad_group_size)
{
	struct prq_table *t = table(8);
	static struct prq_host_fault f[PRQ_MAX_GROUP + 1];
	static struct virtio_iommu_page_req out[PRQ_MAX_GROUP + 1];
	struct prq_group g = { f, 0, 1 };

	f[PRQ_MAX_GROUP].flags = LAST;
	cr_assert_eq(prq__translate_group(t, &g, EP1, 0, out), -EINVAL);
	g.nr = PRQ_MAX_GROUP + 1;
	cr_assert_eq(prq__translate_group(t, &g, EP1, 0, out), -EINVAL);
	cr_assert_eq(t->nr_live, 0);
	cr_assert_eq(t->stats.groups, 0);
}

/* ------------------------------------------------------------------ */
/* the tag table */

Test(prq_tags, exhaustion_at_cap_and_reuse_after_free)
{
	struct prq_table *t = table(8);
	struct prq_host_fault f = hrec(LAST, DEV1, 0, 1, 1, 0, 100);
	struct prq_group g = { &f, 1, 100 };
	struct virtio_iommu_page_req out;
	struct prq_host_resp hr;
	u32 tags[8], seen = 0, fresh;

	for (u32 i = 0; i < 8; i++) {
		tags[i] = raise1(t, EP1, false, 0, 100 + i);
		seen |= 1U << (tags[i] & (PRQ_MAX_TAGS - 1));
	}
	cr_assert_eq(seen, 0xff, "8 distinct slots");
	cr_assert_eq(t->nr_live, 8);
	cr_assert_eq(prq__translate_group(t, &g, EP1, 0, &out), -ENOSPC);
	cr_assert_eq(prq__translate_group(t, &g, EP1, 0, &out), -ENOSPC);
	cr_assert_eq(t->stats.tags_exhausted, 2);
	cr_assert_eq(t->stats.groups, 8);
	cr_assert_eq(t->nr_live, 8);

	/* the caller answers the host itself and counts it */
	prq__count_auto(t, PRQ_AUTO_QUEUE_FULL);
	cr_assert_eq(t->stats.answered_by_vsva[PRQ_AUTO_QUEUE_FULL], 1);

	cr_assert_eq(answer(t, EP1, false, 0, tags[5], 0, &hr),
		     VIRTIO_IOMMU_S_OK);
	cr_assert_eq(hr.cookie, 105);
	cr_assert_eq(t->nr_live, 7);
	fresh = raise1(t, EP1, false, 0, 200);
	cr_assert_eq(fresh & (PRQ_MAX_TAGS - 1), tags[5] & (PRQ_MAX_TAGS - 1));
	cr_assert_neq(fresh, tags[5]);
	cr_assert_eq(prq__translate_group(t, &g, EP1, 0, &out), -ENOSPC);
	/* the old tag does not reach the new group */
	cr_assert_eq(answer(t, EP1, false, 0, tags[5], 0, &hr),
		     VIRTIO_IOMMU_S_NOENT);
	cr_assert_eq(answer(t, EP1, false, 0, fresh, 0, &hr),
		     VIRTIO_IOMMU_S_OK);
	cr_assert_eq(hr.cookie, 200);
}

Test(prq_tags, cap_limits)
{
	struct prq_table *t = table(PRQ_MAX_TAGS + 1000);
	struct prq_host_fault f = hrec(LAST, DEV1, 0, 1, 1, 0, 1);
	struct prq_group g = { &f, 1, 1 };
	struct virtio_iommu_page_req out;
	static bool used[PRQ_MAX_TAGS];

	cr_assert_eq(t->cap, PRQ_MAX_TAGS);
	for (u32 i = 0; i < PRQ_MAX_TAGS; i++) {
		u32 tag = raise1(t, EP1, false, 0, i + 1);
		u32 slot = tag & (PRQ_MAX_TAGS - 1);

		cr_assert_not(used[slot]);
		used[slot] = true;
	}
	cr_assert_eq(prq__translate_group(t, &g, EP1, 0, &out), -ENOSPC);

	t = table(0);
	cr_assert_eq(prq__translate_group(t, &g, EP1, 0, &out), -ENOSPC);
	cr_assert_eq(t->stats.tags_exhausted, 1);

	t = table(1);
	raise1(t, EP1, false, 0, 1);
	cr_assert_eq(prq__translate_group(t, &g, EP1, 0, &out), -ENOSPC);
}

Test(prq_tags, freed_slot_goes_to_the_back)
{
	struct prq_table *t = table(4);
	struct prq_host_resp hr;
	u32 a, b;

	a = raise1(t, EP1, false, 0, 1);
	cr_assert_eq(answer(t, EP1, false, 0, a, 0, &hr), VIRTIO_IOMMU_S_OK);
	b = raise1(t, EP1, false, 0, 1);
	cr_assert_neq(a & (PRQ_MAX_TAGS - 1), b & (PRQ_MAX_TAGS - 1));
}

Test(prq_tags, generation_wrap_poked)
{
	struct prq_table *t = table(1);
	struct prq_host_resp hr;
	u32 a, b, c;

	t->tags[0].gen = PRQ_TAG_GEN_MAX;
	a = raise1(t, EP1, false, 0, 1);
	cr_assert_eq(a, PRQ_TAG_GEN_MAX << PRQ_TAG_INDEX_BITS);
	cr_assert_lt(a, 0x80000000U, "fits a non-negative int");
	cr_assert_eq(answer(t, EP1, false, 0, a, 0, &hr), VIRTIO_IOMMU_S_OK);

	b = raise1(t, EP1, false, 0, 2);
	cr_assert_eq(b, 1U << PRQ_TAG_INDEX_BITS, "gen wraps to 1, not 0");
	cr_assert_neq(b, PRQ_TAG_NONE);
	cr_assert_eq(answer(t, EP1, false, 0, a, 0, &hr),
		     VIRTIO_IOMMU_S_NOENT);
	cr_assert_eq(t->stats.dropped[PRQ_DROP_DUPLICATE], 1);
	/* every gen of a wrapped slot was issued: older ones are stale */
	cr_assert_eq(answer(t, EP1, false, 0, 77U << PRQ_TAG_INDEX_BITS, 0,
			    &hr), VIRTIO_IOMMU_S_NOENT);
	cr_assert_eq(t->stats.dropped[PRQ_DROP_STALE], 1);
	/* ... but a gen beyond 19 bits was never issued */
	cr_assert_eq(answer(t, EP1, false, 0, 0x80000000U | a, 0, &hr),
		     VIRTIO_IOMMU_S_NOENT);
	cr_assert_eq(answer(t, EP1, false, 0, 0xfffff000U, 0, &hr),
		     VIRTIO_IOMMU_S_NOENT);
	cr_assert_eq(t->stats.dropped[PRQ_DROP_UNKNOWN_TAG], 2);
	cr_assert_eq(t->stats.dropped[PRQ_DROP_STALE], 1);
	cr_assert_eq(answer(t, EP1, false, 0, b, 0, &hr), VIRTIO_IOMMU_S_OK);
	cr_assert_eq(hr.cookie, 2);
	c = raise1(t, EP1, false, 0, 3);
	cr_assert_eq(c, 2U << PRQ_TAG_INDEX_BITS);
}

Test(prq_tags, generation_wrap_full_cycle)
{
	struct prq_table *t = table(1);
	struct prq_host_resp hr;
	u32 tag = 0;

	/* every generation of slot 0, once round: 2^19 - 1 groups */
	for (u32 gen = 1; gen <= PRQ_TAG_GEN_MAX; gen++) {
		tag = raise1(t, EP1, false, 0, gen);
		if (tag != gen << PRQ_TAG_INDEX_BITS)
			cr_assert_fail("gen %u: tag %#x", gen, tag);
		if (answer(t, EP1, false, 0, tag, 0, &hr) != VIRTIO_IOMMU_S_OK)
			cr_assert_fail("gen %u not answered", gen);
	}
	tag = raise1(t, EP1, false, 0, 1);
	cr_assert_eq(tag, 1U << PRQ_TAG_INDEX_BITS);
	cr_assert(t->tags[0].wrapped);
	cr_assert_eq(t->stats.answered_by_guest, PRQ_TAG_GEN_MAX);
}

Test(prq_tags, lookup)
{
	struct prq_table *t = table(4);
	struct prq_host_resp hr;
	u32 a = raise1(t, EP1, true, 3, 11);

	cr_assert_not_null(prq__lookup(t, a));
	cr_assert_null(prq__lookup(t, a + PRQ_MAX_TAGS));	/* next gen */
	cr_assert_null(prq__lookup(t, a & (PRQ_MAX_TAGS - 1)));	/* gen 0 */
	cr_assert_null(prq__lookup(t, PRQ_TAG_NONE));
	prq__lookup(t, a)->t_pushed = 5;
	cr_assert_eq(t->tags[a & (PRQ_MAX_TAGS - 1)].t_pushed, 5);
	cr_assert_eq(answer(t, EP1, true, 3, a, 0, &hr), VIRTIO_IOMMU_S_OK);
	cr_assert_null(prq__lookup(t, a));
}

/* ------------------------------------------------------------------ */
/* guest -> host */

Test(prq_resp, success_invalid_failure)
{
	struct prq_table *t = table(8);
	struct prq_host_resp hr;
	bool failure;
	static const struct {
		u16 code;
		u32 host;
		bool failure;
	} c[] = {
		{ VSVA_PAGE_RESP_SUCCESS, IOMMUFD_PAGE_RESP_SUCCESS, false },
		{ VSVA_PAGE_RESP_INVALID, IOMMUFD_PAGE_RESP_INVALID, false },
		{ VSVA_PAGE_RESP_FAILURE, IOMMUFD_PAGE_RESP_INVALID, true },
	};

	for (size_t i = 0; i < ARRAY_SIZE(c); i++) {
		u32 tag = raise1(t, EP1, true, 9, 50 + (u32)i);
		struct virtio_iommu_req_page_resp r =
			presp(EP1, true, 9, tag, c[i].code);

		failure = !c[i].failure;
		cr_assert_eq(prq__guest_response(t, &r, &hr, &failure),
			     VIRTIO_IOMMU_S_OK);
		cr_assert_eq(hr.cookie, 50 + i);
		cr_assert_eq(hr.code, c[i].host, "code %u", c[i].code);
		cr_assert_eq(failure, c[i].failure);
		cr_assert_eq(t->nr_live, 0);
	}
	cr_assert_eq(t->stats.answered_by_guest, 3);
	cr_assert_eq(t->stats.guest_failure, 1);
	cr_assert_eq(total_dropped(t), 0);
}

Test(prq_resp, bad_code)
{
	struct prq_table *t = table(8);
	struct prq_host_resp hr;
	u16 codes[] = { 3, 4, 0x100, 0xffff };
	u32 tag = raise1(t, EP1, false, 0, 1);

	for (size_t i = 0; i < ARRAY_SIZE(codes); i++)
		cr_assert_eq(answer(t, EP1, false, 0, tag, codes[i], &hr),
			     VIRTIO_IOMMU_S_INVAL, "code %u", codes[i]);
	cr_assert_eq(t->stats.dropped[PRQ_DROP_BAD_CODE], ARRAY_SIZE(codes));
	cr_assert_eq(total_dropped(t), ARRAY_SIZE(codes));
	cr_assert_eq(t->nr_live, 1, "the tag stays");
	cr_assert_eq(answer(t, EP1, false, 0, tag, 2, &hr), VIRTIO_IOMMU_S_OK);
}

Test(prq_resp, unknown_flag_bits)
{
	struct prq_table *t = table(8);
	struct prq_host_resp hr;
	bool failure;
	u32 tag = raise1(t, EP1, true, 4, 1);

	for (u32 b = 1; b < 32; b++) {
		struct virtio_iommu_req_page_resp r = presp(EP1, true, 4, tag,
							    0);

		r.flags |= 1U << b;
		cr_assert_eq(answer_r(t, &r, &hr, &failure),
			     VIRTIO_IOMMU_S_INVAL, "flag bit %u", b);
	}
	cr_assert_eq(t->stats.dropped[PRQ_DROP_BAD_CODE], 31);
	cr_assert_eq(answer(t, EP1, true, 4, tag, 0, &hr), VIRTIO_IOMMU_S_OK);
}

Test(prq_resp, reserved_bytes)
{
	struct prq_table *t = table(8);
	struct prq_host_resp hr;
	bool failure;
	u32 tag = raise1(t, EP1, true, 4, 1);

	for (size_t i = 0; i < 6; i++) {
		struct virtio_iommu_req_page_resp r = presp(EP1, true, 4, tag,
							    0);

		r.reserved[i] = 0x80;
		cr_assert_eq(answer_r(t, &r, &hr, &failure),
			     VIRTIO_IOMMU_S_INVAL, "reserved[%zu]", i);
	}
	cr_assert_eq(t->stats.dropped[PRQ_DROP_BAD_CODE], 6);
	cr_assert_eq(answer(t, EP1, true, 4, tag, 0, &hr), VIRTIO_IOMMU_S_OK);
}

Test(prq_resp, forged_tags)
{
	struct prq_table *t = table(16);
	struct prq_host_resp hr;
	u32 live[4], x = 0x2545f491;
	u64 n = 0;

	for (int i = 0; i < 4; i++)
		live[i] = raise1(t, EP1, false, 0, 1 + i);

	/* specific forgeries, all "unknown" */
	u32 forged[] = {
		PRQ_TAG_NONE,
		live[0] & (PRQ_MAX_TAGS - 1),		/* gen 0 */
		live[0] + PRQ_MAX_TAGS,			/* gen not yet issued */
		(1U << PRQ_TAG_INDEX_BITS) | 16,	/* slot >= cap */
		(1U << PRQ_TAG_INDEX_BITS) | 4095,
		(1U << PRQ_TAG_INDEX_BITS) | 5,		/* free slot, its gen */
		0x80000000U | live[0],			/* gen bit 19 + 1 */
		0xffffffffU,
	};
	for (size_t i = 0; i < ARRAY_SIZE(forged); i++) {
		cr_assert_eq(answer(t, EP1, false, 0, forged[i], 0, &hr),
			     VIRTIO_IOMMU_S_NOENT, "tag %#x", forged[i]);
		cr_assert_eq(t->stats.dropped[PRQ_DROP_UNKNOWN_TAG], ++n);
	}
	/* random values */
	for (int i = 0; i < 20000; i++) {
		bool is_live = false;

		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		for (int j = 0; j < 4; j++)
			is_live |= x == live[j];
		if (is_live)
			continue;
		if (answer(t, EP1, false, 0, x, 0, &hr) != VIRTIO_IOMMU_S_NOENT)
			cr_assert_fail("random tag %#x accepted", x);
		n++;
	}
	cr_assert_eq(total_dropped(t), n);
	cr_assert_eq(t->stats.answered_by_guest, 0);
	cr_assert_eq(t->nr_live, 4);
	for (int i = 0; i < 4; i++) {
		cr_assert_eq(answer(t, EP1, false, 0, live[i], 0, &hr),
			     VIRTIO_IOMMU_S_OK);
		cr_assert_eq(hr.cookie, 1 + (u32)i);
	}
}

Test(prq_resp, duplicate_answer)
{
	struct prq_table *t = table(8);
	struct prq_host_resp hr;
	u32 tag = raise1(t, EP1, true, 2, 33);

	cr_assert_eq(answer(t, EP1, true, 2, tag, 0, &hr), VIRTIO_IOMMU_S_OK);
	cr_assert_eq(answer(t, EP1, true, 2, tag, 0, &hr),
		     VIRTIO_IOMMU_S_NOENT);
	cr_assert_eq(answer(t, EP1, true, 2, tag, 1, &hr),
		     VIRTIO_IOMMU_S_NOENT);
	cr_assert_eq(t->stats.dropped[PRQ_DROP_DUPLICATE], 2);
	cr_assert_eq(t->stats.late_answers, 0, "answered by the guest");
	cr_assert_eq(t->stats.answered_by_guest, 1);
}

Test(prq_resp, stale_answer_after_slot_reuse)
{
	struct prq_table *t = table(1);
	struct prq_host_resp hr;
	u32 a, b;

	a = raise1(t, EP1, false, 0, 1);
	cr_assert_eq(answer(t, EP1, false, 0, a, 0, &hr), VIRTIO_IOMMU_S_OK);
	b = raise1(t, EP1, false, 0, 1);	/* same slot, same cookie */
	cr_assert_neq(a, b);
	cr_assert_eq(answer(t, EP1, false, 0, a, 0, &hr),
		     VIRTIO_IOMMU_S_NOENT);
	cr_assert_eq(t->nr_live, 1);
	cr_assert_eq(answer(t, EP1, false, 0, b, 0, &hr), VIRTIO_IOMMU_S_OK);
	raise1(t, EP1, false, 0, 1);
	/* two generations back */
	cr_assert_eq(answer(t, EP1, false, 0, a, 0, &hr),
		     VIRTIO_IOMMU_S_NOENT);
	cr_assert_eq(t->stats.dropped[PRQ_DROP_DUPLICATE], 1);
	cr_assert_eq(t->stats.dropped[PRQ_DROP_STALE], 1);
	cr_assert_eq(t->nr_live, 1);
}

Test(prq_resp, misrouted)
{
	struct prq_table *t = table(8);
	struct prq_host_resp hr;
	u32 p = raise1(t, EP1, true, 7, 1);	/* PASID 7 */
	u32 np = raise1(t, EP1, false, 0, 2);	/* no PASID */

	cr_assert_eq(answer(t, EP2, true, 7, p, 0, &hr), VIRTIO_IOMMU_S_INVAL);
	cr_assert_eq(answer(t, EP1, true, 8, p, 0, &hr), VIRTIO_IOMMU_S_INVAL);
	cr_assert_eq(answer(t, EP1, true, 0, p, 0, &hr), VIRTIO_IOMMU_S_INVAL);
	cr_assert_eq(answer(t, EP1, false, 7, p, 0, &hr),
		     VIRTIO_IOMMU_S_INVAL);
	cr_assert_eq(answer(t, EP2, false, 0, np, 0, &hr),
		     VIRTIO_IOMMU_S_INVAL);
	cr_assert_eq(answer(t, EP1, true, 0, np, 0, &hr),
		     VIRTIO_IOMMU_S_INVAL);
	cr_assert_eq(t->stats.dropped[PRQ_DROP_MISROUTED], 6);
	cr_assert_eq(total_dropped(t), 6);
	cr_assert_eq(t->nr_live, 2);

	/* PASID ignored when not valid */
	cr_assert_eq(answer(t, EP1, false, 0x999, np, 0, &hr),
		     VIRTIO_IOMMU_S_OK);
	cr_assert_eq(hr.cookie, 2);
	cr_assert_eq(answer(t, EP1, true, 7, p, 0, &hr), VIRTIO_IOMMU_S_OK);
	cr_assert_eq(hr.cookie, 1);
}

/* ------------------------------------------------------------------ */
/* drains and auto-answers */

Test(prq_drain, by_endpoint_and_pasid_with_responses)
{
	struct prq_table *t = table(16);
	struct prq_resp_batch *b = &batch;
	struct prq_host_resp hr;
	u32 e1p1, e1p2, e2p1, e1np;

	e1p1 = raise1(t, EP1, true, 1, 11);
	e1p2 = raise1(t, EP1, true, 2, 12);
	e2p1 = raise1(t, EP2, true, 1, 21);
	e1np = raise1(t, EP1, false, 0, 10);

	cr_assert_eq(prq__drain(t, EP1, 1, PRQ_AUTO_DETACH, true, b), 1);
	cr_assert_eq(b->nr, 1);
	cr_assert_eq(b->r[0].cookie, 11);
	cr_assert_eq(b->r[0].code, IOMMUFD_PAGE_RESP_INVALID);
	cr_assert_eq(t->stats.answered_by_vsva[PRQ_AUTO_DETACH], 1);
	cr_assert_eq(t->nr_live, 3);
	cr_assert_null(prq__lookup(t, e1p1));
	cr_assert_not_null(prq__lookup(t, e2p1), "other endpoint kept");
	cr_assert_not_null(prq__lookup(t, e1p2), "other PASID kept");

	/* PASID 0 is the no-PASID scope */
	cr_assert_eq(prq__drain(t, EP1, 0, PRQ_AUTO_DEVICE_RESET, true, b), 1);
	cr_assert_eq(b->r[1].cookie, 10);
	cr_assert_null(prq__lookup(t, e1np));

	cr_assert_eq(prq__drain(t, EP1, PRQ_ALL_PASIDS, PRQ_AUTO_DEVICE_RESET,
				true, b), 1);
	cr_assert_eq(b->r[2].cookie, 12);
	cr_assert_eq(t->stats.answered_by_vsva[PRQ_AUTO_DEVICE_RESET], 2);
	cr_assert_not_null(prq__lookup(t, e2p1));
	cr_assert_eq(prq__drain(t, EP1, PRQ_ALL_PASIDS, PRQ_AUTO_DEVICE_RESET,
				true, b), 0);

	cr_assert_eq(prq__drain(t, PRQ_ALL_ENDPOINTS, PRQ_ALL_PASIDS,
				PRQ_AUTO_VM_EXIT, true, b), 1);
	cr_assert_eq(b->nr, 4);
	cr_assert_eq(b->r[3].cookie, 21);
	cr_assert_eq(t->nr_live, 0);
	cr_assert_eq(t->stats.answered_by_vsva[PRQ_AUTO_VM_EXIT], 1);

	/* late answers: dropped, counted as late, no host response */
	cr_assert_eq(answer(t, EP1, true, 1, e1p1, 0, &hr),
		     VIRTIO_IOMMU_S_NOENT);
	cr_assert_eq(answer(t, EP2, true, 1, e2p1, 0, &hr),
		     VIRTIO_IOMMU_S_NOENT);
	cr_assert_eq(t->stats.late_answers, 2);
	cr_assert_eq(t->stats.answered_by_guest, 0);
}

Test(prq_drain, pasid_drain_matches_pasid_across_endpoints_only_with_all)
{
	struct prq_table *t = table(16);

	raise1(t, EP1, true, 5, 1);
	raise1(t, EP2, true, 5, 2);
	cr_assert_eq(prq__drain(t, PRQ_ALL_ENDPOINTS, 5, PRQ_AUTO_GUEST_RESET,
				false, NULL), 2);
	cr_assert_eq(t->nr_live, 0);
}

Test(prq_drain, without_host_responses)
{
	struct prq_table *t = table(16);
	struct prq_host_resp hr;
	u32 a = raise1(t, EP1, true, 3, 1);
	u32 b2 = raise1(t, EP1, true, 3, 2);

	batch.nr = 0;
	cr_assert_eq(prq__drain(t, EP1, 3, PRQ_AUTO_REPLACE, false, &batch), 2);
	cr_assert_eq(batch.nr, 0, "the host answered already");
	cr_assert_eq(t->stats.answered_by_vsva[PRQ_AUTO_REPLACE], 2);
	cr_assert_eq(t->nr_live, 0);
	cr_assert_eq(answer(t, EP1, true, 3, a, 0, &hr), VIRTIO_IOMMU_S_NOENT);
	cr_assert_eq(answer(t, EP1, true, 3, b2, 2, &hr),
		     VIRTIO_IOMMU_S_NOENT);
	cr_assert_eq(t->stats.late_answers, 2);
	cr_assert_eq(t->stats.guest_failure, 0);
}

/*
 * The hazard: the kernel auto-answers on detach and frees the cookie, then
 * hands the same cookie to the next group.  The guest's late answer for
 * the old group must not answer the new one.
 */
static void cookie_reuse_after_detach(u32 cap)
{
	struct prq_table *t = table(cap);
	struct prq_host_resp hr;
	u32 old, new;

	old = raise1(t, EP1, true, 5, 1);
	cr_assert_eq(prq__drain(t, EP1, 5, PRQ_AUTO_DETACH, false, NULL), 1);
	/* PASID 5 bound again; the next fault gets cookie 1 again */
	new = raise1(t, EP1, true, 5, 1);
	cr_assert_neq(old, new);
	cr_assert_eq(answer(t, EP1, true, 5, old, 0, &hr),
		     VIRTIO_IOMMU_S_NOENT);
	cr_assert_eq(t->stats.late_answers, 1);
	cr_assert_eq(t->nr_live, 1, "the new group is still outstanding");
	cr_assert_eq(answer(t, EP1, true, 5, new, 1, &hr), VIRTIO_IOMMU_S_OK);
	cr_assert_eq(hr.cookie, 1);
	cr_assert_eq(hr.code, IOMMUFD_PAGE_RESP_INVALID);
	/* and the old one once more, now two generations back on cap 1 */
	cr_assert_eq(answer(t, EP1, true, 5, old, 0, &hr),
		     VIRTIO_IOMMU_S_NOENT);
	cr_assert_eq(t->stats.answered_by_guest, 1);
}

Test(prq_drain, cookie_reused_after_detach_same_slot)
{
	cookie_reuse_after_detach(1);
	cr_assert_eq(tab.stats.dropped[PRQ_DROP_DUPLICATE], 1);
	cr_assert_eq(tab.stats.dropped[PRQ_DROP_STALE], 1);
	cr_assert_eq(tab.stats.late_answers, 2);
}

Test(prq_drain, cookie_reused_after_detach_other_slot)
{
	cookie_reuse_after_detach(PRQ_MAX_TAGS);
	cr_assert_eq(tab.stats.dropped[PRQ_DROP_DUPLICATE], 2);
	cr_assert_eq(tab.stats.late_answers, 2);
}

Test(prq_drain, stops_when_batch_full)
{
	struct prq_table *t = table(16);
	struct prq_resp_batch *b = &batch;
	u32 i;

	for (i = 0; i < 3; i++)
		raise1(t, EP1, false, 0, 40 + i);
	for (i = 0; i < PRQ_BATCH_MAX - 1; i++)
		cr_assert_eq(prq_batch__add(b, i, 0), 0);
	cr_assert_eq(prq__drain(t, EP1, 0, PRQ_AUTO_TIMEOUT, true, b), 1);
	cr_assert_eq(b->nr, PRQ_BATCH_MAX);
	cr_assert_eq(t->nr_live, 2);
	cr_assert_eq(prq__drain(t, EP1, 0, PRQ_AUTO_TIMEOUT, true, b), 0);
	cr_assert_eq(t->nr_live, 2);
	b->nr = 0;	/* flushed */
	cr_assert_eq(prq__drain(t, EP1, 0, PRQ_AUTO_TIMEOUT, true, b), 2);
	cr_assert_eq(b->nr, 2);
	cr_assert_eq(b->r[0].cookie + b->r[1].cookie, 41 + 42);
	cr_assert_eq(t->stats.answered_by_vsva[PRQ_AUTO_TIMEOUT], 3);
	cr_assert_eq(t->nr_live, 0);
}

Test(prq_drain, auto_answer_one_tag)
{
	struct prq_table *t = table(4);
	struct prq_resp_batch *b = &batch;
	struct prq_host_resp hr;
	u32 a = raise1(t, EP1, true, 1, 70);
	u32 c = raise1(t, EP1, true, 1, 71);
	u32 d = raise1(t, EP1, true, 1, 72);

	cr_assert_eq(prq__auto_answer(t, a, PRQ_AUTO_TIMEOUT, b,
				      IOMMUFD_PAGE_RESP_INVALID), 0);
	cr_assert_eq(b->nr, 1);
	cr_assert_eq(b->r[0].cookie, 70);
	cr_assert_eq(b->r[0].code, IOMMUFD_PAGE_RESP_INVALID);
	cr_assert_eq(prq__auto_answer(t, c, PRQ_AUTO_QUEUE_FULL, b,
				      IOMMUFD_PAGE_RESP_SUCCESS), 0);
	cr_assert_eq(b->r[1].cookie, 71);
	cr_assert_eq(b->r[1].code, IOMMUFD_PAGE_RESP_SUCCESS);
	cr_assert_eq(t->stats.answered_by_vsva[PRQ_AUTO_TIMEOUT], 1);
	cr_assert_eq(t->stats.answered_by_vsva[PRQ_AUTO_QUEUE_FULL], 1);
	cr_assert_eq(prq__auto_answer(t, a, PRQ_AUTO_TIMEOUT, b, 1), -ENOENT);
	cr_assert_eq(prq__auto_answer(t, 0, PRQ_AUTO_TIMEOUT, b, 1), -ENOENT);
	cr_assert_eq(b->nr, 2);

	b->nr = PRQ_BATCH_MAX;
	cr_assert_eq(prq__auto_answer(t, d, PRQ_AUTO_TIMEOUT, b, 1), -ENOSPC);
	cr_assert_not_null(prq__lookup(t, d));
	cr_assert_eq(prq__auto_answer(t, d, PRQ_AUTO_TIMEOUT, NULL, 1), 0);
	cr_assert_null(prq__lookup(t, d));

	cr_assert_eq(answer(t, EP1, true, 1, a, 0, &hr), VIRTIO_IOMMU_S_NOENT);
	cr_assert_eq(t->stats.late_answers, 1);
}

Test(prq_drain, count_auto)
{
	struct prq_table *t = table(4);
	struct prq_stats want = { 0 };

	for (int w = 0; w < PRQ_AUTO__COUNT; w++) {
		for (int k = 0; k <= w; k++)
			prq__count_auto(t, (enum prq_auto)w);
		want.answered_by_vsva[w] = (u64)w + 1;
	}
	prq__count_auto(t, PRQ_AUTO__COUNT);		/* ignored */
	prq__count_auto(t, (enum prq_auto)-1);		/* ignored */
	cr_assert_arr_eq(&t->stats, &want, sizeof(want),
			 "only the named counters moved");
}

/* ------------------------------------------------------------------ */
/* response batches */

static void fill(struct prq_resp_batch *b, u32 n)
{
	memset(b, 0, sizeof(*b));
	for (u32 i = 0; i < n; i++)
		cr_assert_eq(prq_batch__add(b, 1000 + i, i & 1), 0);
}

Test(prq_batch, add_until_full)
{
	struct prq_resp_batch *b = &batch;

	fill(b, PRQ_BATCH_MAX);
	cr_assert_eq(prq_batch__add(b, 1, 0), -ENOSPC);
	cr_assert_eq(b->nr, PRQ_BATCH_MAX);
	for (u32 i = 0; i < PRQ_BATCH_MAX; i++) {
		cr_assert_eq(b->r[i].cookie, 1000 + i);
		cr_assert_eq(b->r[i].code, i & 1);
	}
}

Test(prq_batch, whole_write)
{
	struct prq_resp_batch *b = &batch;

	fill(b, 5);
	cr_assert_eq(prq_batch__consumed(b, 5 * 8), 0);
	cr_assert_eq(b->nr, 0);
	cr_assert_eq(b->short_writes, 0);
	cr_assert_eq(b->refused, 0);
	cr_assert_eq(prq_batch__consumed(b, 0), 0, "empty batch, no write");
	cr_assert_eq(b->short_writes, 0);
}

Test(prq_batch, short_write_drops_first_unwritten)
{
	struct prq_resp_batch *b = &batch;

	fill(b, 5);
	cr_assert_eq(prq_batch__consumed(b, 2 * 8), 2);
	cr_assert_eq(b->nr, 2);
	cr_assert_eq(b->r[0].cookie, 1003);
	cr_assert_eq(b->r[0].code, 1);
	cr_assert_eq(b->r[1].cookie, 1004);
	cr_assert_eq(b->short_writes, 1);
	cr_assert_eq(b->refused, 1);
	/* the rest go through next time */
	cr_assert_eq(prq_batch__consumed(b, 2 * 8), 0);
	cr_assert_eq(b->short_writes, 1);
}

Test(prq_batch, first_entry_refused)
{
	struct prq_resp_batch *b = &batch;

	fill(b, 3);
	cr_assert_eq(prq_batch__consumed(b, 0), 2);
	cr_assert_eq(b->r[0].cookie, 1001);
	cr_assert_eq(b->r[1].cookie, 1002);
	cr_assert_eq(prq_batch__consumed(b, 0), 1);
	cr_assert_eq(b->r[0].cookie, 1002);
	cr_assert_eq(b->refused, 2);
}

Test(prq_batch, last_entry_refused)
{
	struct prq_resp_batch *b = &batch;

	fill(b, 3);
	cr_assert_eq(prq_batch__consumed(b, 2 * 8), 0);
	cr_assert_eq(b->nr, 0);
	cr_assert_eq(b->short_writes, 1);
}

Test(prq_batch, full_batch_short_write)
{
	struct prq_resp_batch *b = &batch;

	fill(b, PRQ_BATCH_MAX);
	cr_assert_eq(prq_batch__consumed(b, 100 * 8), PRQ_BATCH_MAX - 101);
	for (u32 i = 0; i < PRQ_BATCH_MAX - 101; i++)
		cr_assert_eq(b->r[i].cookie, 1000 + 101 + i);
	cr_assert_eq(prq_batch__add(b, 7, 0), 0);
	cr_assert_eq(b->r[b->nr - 1].cookie, 7);
}

Test(prq_batch, bad_written)
{
	struct prq_resp_batch *b = &batch;
	size_t bad[] = { 1, 7, 12, 4 * 8 + 1, 5 * 8, 6 * 8, (size_t)-8 };

	fill(b, 4);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		cr_assert_eq(prq_batch__consumed(b, bad[i]), -EINVAL,
			     "written %zu", bad[i]);
	cr_assert_eq(b->nr, 4, "untouched");
	cr_assert_eq(b->r[0].cookie, 1000);
	cr_assert_eq(b->short_writes, 0);
	cr_assert_eq(b->refused, 0);
	fill(b, 0);
	cr_assert_eq(prq_batch__consumed(b, 8), -EINVAL);
}
