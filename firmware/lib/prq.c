// SPDX-License-Identifier: GPL-2.0
/* The guest's page-request handler: see prq.h. */
#include <errno.h>
#include <string.h>

#include "console.h"
#include "cpu.h"
#include "pages.h"
#include "prq.h"

#define PAGE_MASK_4K	(PAGE_SIZE - 1)
#define INV_LEAF_EP	(VSVA_INV_F_LEAF | VSVA_INV_F_ENDPOINT)

int prq_space__init(struct prq_space *s, u32 pasid, u32 max_mapped)
{
	unsigned long pages = ALIGN_UP((u64)max_mapped * sizeof(u64),
				       PAGE_SIZE) / PAGE_SIZE;

	*s = (struct prq_space){ .pasid = pasid, .max_mapped = max_mapped };
	s->mapped = pages__alloc(pages ? pages : 1);
	if (!s->mapped)
		return -ENOMEM;
	return pgtable__init(&s->pt, 4, &pages__pgtable_mem);
}

/* --- the page pool --- */

static void pool_link(struct prq_handler *h, void *page)
{
	*(void **)page = h->pool;
	h->pool = page;
}

/* A zeroed page, or NULL. */
static void *pool_take(struct prq_handler *h)
{
	void *page = h->pool;

	if (!page)
		return NULL;
	h->pool = *(void **)page;
	*(void **)page = NULL;
	h->pool_used++;
	return page;
}

static void pool_put(struct prq_handler *h, void *page)
{
	memset(page, 0, PAGE_SIZE);
	pool_link(h, page);
	h->pool_used--;
}

int prq_handler__init(struct prq_handler *h, struct viommu *vi, u32 ep,
		      struct prq_space *spaces, u32 nr,
		      struct prq_range allow, struct prq_range refuse,
		      u32 pool_size)
{
	*h = (struct prq_handler){
		.vi = vi, .ep = ep, .spaces = spaces, .nr_spaces = nr,
		.allow = allow, .refuse = refuse,
	};
	if (nr > PRQ_MAX_SPACES)
		return -EINVAL;
	if (!vi->has_prq || !viommu__has(vi, VIRTIO_IOMMU_F_VSVA_INVAL))
		return -EOPNOTSUPP;
	for (; h->pool_size < pool_size; h->pool_size++) {
		void *page = pages__alloc(1);	/* zeroed */

		if (!page)
			return -ENOMEM;
		pool_link(h, page);
	}
	return 0;
}

struct prq_space *prq_handler__space(struct prq_handler *h, u32 pasid)
{
	for (u32 i = 0; i < h->nr_spaces; i++)
		if (h->spaces[i].pasid == pasid)
			return &h->spaces[i];
	return NULL;
}

static bool in_range(const struct prq_range *r, u64 addr)
{
	return addr >= r->start && addr < r->end;
}

/* --- the batch's INVALIDATE and answers --- */

static int send_inval(struct prq_handler *h)
{
	u8 status[VSVA_INV_MAX_ENTRIES];
	int ret;

	if (!h->nr_inv)
		return 0;
	ret = viommu__invalidate(h->vi, h->inv, h->nr_inv, status);
	h->st.inval_reqs++;
	h->st.inval_entries += h->nr_inv;
	if (ret != VIRTIO_IOMMU_S_OK) {
		h->st.inval_errors++;
		printf("prq: INVALIDATE of %u entries: %s\n", h->nr_inv,
		       viommu__status_str(ret));
	}
	h->nr_inv = 0;
	return ret < 0 ? ret : 0;
}

/* Adds a page to the batch's INVALIDATE, extending the last range. */
static int add_inval(struct prq_handler *h, const struct prq_space *s, u64 va)
{
	struct virtio_iommu_inv_entry *e;
	int ret = 0;

	if (h->nr_inv) {
		e = &h->inv[h->nr_inv - 1];
		if (e->pasid == s->pasid &&
		    e->addr + e->nr_pages * PAGE_SIZE == va) {
			e->nr_pages++;
			return 0;
		}
	}
	if (h->nr_inv == VSVA_INV_MAX_ENTRIES)
		ret = send_inval(h);
	h->inv[h->nr_inv++] = (struct virtio_iommu_inv_entry){
		.scope = VSVA_INV_S_ADDR, .flags = INV_LEAF_EP, .id = h->ep,
		.pasid = s->pasid, .addr = va, .nr_pages = 1,
	};
	return ret;
}

/* One PAGE_RESP; its status (VIRTIO_IOMMU_S_*) or a negative errno. */
static int send_resp(struct prq_handler *h, u32 tag, u32 endpoint, u32 pasid,
		     u16 code)
{
	struct virtio_iommu_req_page_resp r = {
		.head.type = VIRTIO_IOMMU_T_PAGE_RESP,
		.endpoint = endpoint,
		.pasid = pasid,
		.flags = VSVA_PAGE_RESP_F_PASID_VALID,
		.tag = tag,
		.code = code,
	};
	int ret = viommu__request(h->vi, &r, sizeof(r), sizeof(r.tail));

	if (code < ARRAY_SIZE(h->st.answered))
		h->st.answered[code]++;
	if (ret != VIRTIO_IOMMU_S_OK)
		h->st.resp_errors++;
	h->last_resp_status = (u32)ret;
	return ret;
}

static int flush(struct prq_handler *h)
{
	int ret = send_inval(h), r;

	/* Only once the IOTLB forgot the old state may the device retry. */
	for (u32 i = 0; i < h->nr_resp; i++) {
		const struct prq_resp *a = &h->resp[i];

		r = send_resp(h, a->tag, a->endpoint, a->pasid, a->code);
		if (r != VIRTIO_IOMMU_S_OK)
			printf("prq: PAGE_RESP tag %#x pasid %u code %u: %s\n",
			       a->tag, a->pasid, a->code,
			       viommu__status_str(r));
		if (r < 0 && !ret)
			ret = r;
	}
	h->nr_resp = 0;
	return ret;
}

static int queue_resp(struct prq_handler *h,
		      const struct virtio_iommu_page_req *last, u16 code)
{
	int ret = 0;

	if (h->nr_resp == ARRAY_SIZE(h->resp))
		ret = flush(h);
	h->resp[h->nr_resp++] = (struct prq_resp){
		.tag = last->tag, .endpoint = last->endpoint,
		.pasid = last->pasid, .code = code,
	};
	return ret;
}

/* --- mapping --- */

static int map_page(struct prq_handler *h, struct prq_space *s, u64 va,
		    u32 flags)
{
	u64 want = ((flags & VSVA_PRQ_F_PRIV) ? 0 : PTE_U) |
		   ((flags & VSVA_PRQ_F_WRITE) ? PTE_W : 0);
	struct pgtable_walk w;
	void *page;
	int ret;

	if (!pgtable__lookup(&s->pt, va, &w)) {
		u64 pa = w.pa & ~PAGE_MASK_4K;

		if ((w.pte & want) == want) {
			h->st.already++;
			return 0;
		}
		want |= w.pte & (PTE_U | PTE_W);
		ret = pgtable__unmap(&s->pt, va, PAGE_SIZE);
		if (!ret)
			ret = pgtable__map_page(&s->pt, va, pa, PAGE_SIZE,
						want);
		if (ret)
			return ret;
		h->st.upgraded++;
		return add_inval(h, s, va);
	}
	page = s->nr_mapped < s->max_mapped ? pool_take(h) : NULL;
	if (!page) {
		h->st.pool_empty++;
		return -ENOMEM;
	}
	ret = pgtable__map_page(&s->pt, va, (uintptr_t)page, PAGE_SIZE, want);
	if (ret) {
		pool_put(h, page);
		return ret;
	}
	s->mapped[s->nr_mapped++] = va;
	h->st.mapped++;
	return add_inval(h, s, va);
}

/* --- groups --- */

static bool record_ok(const struct prq_handler *h,
		      const struct virtio_iommu_page_req *r,
		      const struct virtio_iommu_page_req *last)
{
	return r->endpoint == h->ep && r->endpoint == last->endpoint &&
	       r->pasid == last->pasid &&
	       (r->flags & VSVA_PRQ_F_PASID_VALID) &&
	       !(r->flags & ~VSVA_PRQ_F_MASK) &&
	       !(r->address & PAGE_MASK_4K);
}

static void hold(struct prq_handler *h, const struct prq_open *o,
		 const struct virtio_iommu_page_req *last)
{
	h->held[h->nr_held++] = (struct prq_held){
		.tag = last->tag, .endpoint = last->endpoint,
		.pasid = last->pasid, .nr = o->nr, .first = o->rec[0].address,
	};
	h->st.held++;
}

/* The answer for a whole, valid group of a bound space, mapping its pages
 * when every one of them is in the allowed range. */
static u16 serve(struct prq_handler *h, struct prq_space *s,
		 const struct prq_open *o)
{
	u16 code = VSVA_PAGE_RESP_SUCCESS;

	for (u32 i = 0; i < o->nr; i++) {
		u64 a = o->rec[i].address;

		if (in_range(&h->refuse, a)) {
			h->st.refused_pages++;
			code = VSVA_PAGE_RESP_INVALID;
		} else if (!in_range(&h->allow, a)) {
			h->st.outside_pages++;
			code = VSVA_PAGE_RESP_INVALID;
		}
	}
	for (u32 i = 0; code == VSVA_PAGE_RESP_SUCCESS && i < o->nr; i++)
		if (map_page(h, s, o->rec[i].address, o->rec[i].flags))
			code = VSVA_PAGE_RESP_INVALID;
	return code;
}

/* A group is complete: `last` carries LAST. */
static int handle_group(struct prq_handler *h, struct prq_open *o,
			const struct virtio_iommu_page_req *last)
{
	struct prq_space *s = prq_handler__space(h, last->pasid);
	bool ok = !o->overflow && s;

	h->st.size_hist[MIN(o->nr, (u32)PRQ_GROUP_MAX)]++;
	for (u32 i = 0; ok && i < o->nr; i++)
		ok = record_ok(h, &o->rec[i], last);
	if (!ok) {
		h->st.bad_records += o->nr;
		return queue_resp(h, last, VSVA_PAGE_RESP_INVALID);
	}
	if (!s->bound) {
		h->st.unbound++;
		return queue_resp(h, last, VSVA_PAGE_RESP_INVALID);
	}
	if (s->hold && h->nr_held < PRQ_MAX_HELD) {
		hold(h, o, last);
		return 0;
	}
	return queue_resp(h, last, serve(h, s, o));
}

static struct prq_open *open_group(struct prq_handler *h, u32 tag)
{
	struct prq_open *free = NULL;

	for (u32 i = 0; i < PRQ_MAX_OPEN; i++) {
		if (h->open[i].used && h->open[i].tag == tag)
			return &h->open[i];
		if (!h->open[i].used && !free)
			free = &h->open[i];
	}
	if (free) {
		/* Not a compound literal: that would clear rec[] too. */
		free->used = true;
		free->tag = tag;
		free->nr = 0;
		free->overflow = false;
	}
	return free;
}

static int take_record(struct prq_handler *h,
		       const struct virtio_iommu_page_req *r)
{
	struct prq_open *o = open_group(h, r->tag);
	int ret = 0;

	h->st.records++;
	if (r->flags & VSVA_PRQ_F_LAST)
		h->st.groups++;
	if (!o) {
		/* Too many groups in pieces: this one cannot be served. */
		h->st.bad_records++;
		if (r->flags & VSVA_PRQ_F_LAST)
			ret = queue_resp(h, r, VSVA_PAGE_RESP_INVALID);
		return ret;
	}
	if (o->nr < PRQ_GROUP_MAX)
		o->rec[o->nr++] = *r;
	else
		o->overflow = true;
	if (r->flags & VSVA_PRQ_F_LAST) {
		ret = handle_group(h, o, r);
		o->used = false;
	}
	return ret;
}

int prq_handler__poll(struct prq_handler *h)
{
	struct virtio_iommu_page_req r;
	u64 t0 = rdtsc();
	int n = 0, ret = 0, err = 0;

	while (n < PRQ_BATCH_RECORDS && !err) {
		ret = viommu__prq_poll(h->vi, &r);
		if (!ret)
			break;
		n++;
		if (ret < 0) {
			/* A record of the wrong size, or a broken ring. */
			h->st.bad_records++;
			break;
		}
		err = take_record(h, &r);
	}
	if (!n)
		return 0;
	ret = flush(h);
	h->st.batches++;
	h->st.cycles += rdtsc() - t0;
	if (err)
		return err;
	return ret < 0 ? ret : n;
}

u32 prq_handler__nr_held(const struct prq_handler *h, u32 pasid)
{
	u32 n = 0;

	for (u32 i = 0; i < h->nr_held; i++)
		n += h->held[i].pasid == pasid;
	return n;
}

int prq_handler__answer_held(struct prq_handler *h, u32 pasid, u16 code,
			     u32 *statuses)
{
	int sent = 0;
	u32 i = 0;

	while (i < h->nr_held) {
		struct prq_held *p = &h->held[i];
		int st;

		if (p->pasid != pasid) {
			i++;
			continue;
		}
		st = send_resp(h, p->tag, p->endpoint, p->pasid, code);
		if (st >= 0 && st <= VIRTIO_IOMMU_S_NOMEM)
			statuses[st]++;
		else
			statuses[VIRTIO_IOMMU_S_NOMEM + 1]++;
		sent++;
		*p = h->held[--h->nr_held];
	}
	return sent;
}

/* Returns the pages unmap_all() kept in s->mapped[] to the pool. */
static void release_pages(struct prq_handler *h)
{
	for (u32 i = 0; i < h->nr_spaces; i++) {
		struct prq_space *s = &h->spaces[i];

		for (u32 k = 0; k < s->nr_mapped; k++)
			if (s->mapped[k])
				pool_put(h, (void *)(uintptr_t)s->mapped[k]);
		s->nr_mapped = 0;
	}
}

int prq_handler__unmap_all(struct prq_handler *h)
{
	struct virtio_iommu_inv_entry e[PRQ_MAX_SPACES];
	u8 status[ALIGN_UP(PRQ_MAX_SPACES, 4)];
	u32 nr = 0;
	int ret = 0;

	for (u32 i = 0; i < h->nr_spaces; i++) {
		struct prq_space *s = &h->spaces[i];

		/* Each entry becomes the page's address once unmapped. */
		for (u32 k = 0; k < s->nr_mapped; k++) {
			struct pgtable_walk w;
			u64 va = s->mapped[k];

			s->mapped[k] = 0;
			if (pgtable__lookup(&s->pt, va, &w) ||
			    pgtable__unmap(&s->pt, va, PAGE_SIZE))
				continue;
			s->mapped[k] = w.pa & ~PAGE_MASK_4K;
		}
		if (s->nr_mapped && s->bound)
			e[nr++] = (struct virtio_iommu_inv_entry){
				.scope = VSVA_INV_S_PASID,
				.flags = VSVA_INV_F_ENDPOINT,
				.id = h->ep, .pasid = s->pasid,
			};
	}
	if (nr) {
		ret = viommu__invalidate(h->vi, e, nr, status);
		h->st.inval_reqs++;
		h->st.inval_entries += nr;
		if (ret != VIRTIO_IOMMU_S_OK) {
			h->st.inval_errors++;
			printf("prq: INVALIDATE (PASID scope, %u entries): "
			       "%s\n", nr, viommu__status_str(ret));
			ret = ret < 0 ? ret : -EIO;
		}
	}
	/* Only now can no cached translation reach the pages any more. */
	release_pages(h);
	return ret;
}

void prq_handler__print(const struct prq_handler *h)
{
	const struct prq_stats *st = &h->st;
	bool first = true;

	printf("  page requests %llu in %llu groups, %llu batches; answered "
	       "success %llu invalid %llu failure %llu, %llu not OK\n",
	       (unsigned long long)st->records,
	       (unsigned long long)st->groups,
	       (unsigned long long)st->batches,
	       (unsigned long long)st->answered[VSVA_PAGE_RESP_SUCCESS],
	       (unsigned long long)st->answered[VSVA_PAGE_RESP_INVALID],
	       (unsigned long long)st->answered[VSVA_PAGE_RESP_FAILURE],
	       (unsigned long long)st->resp_errors);
	printf("  pages mapped %llu, upgraded %llu, already there %llu, "
	       "refused %llu, outside %llu; pool empty %llu; bad records "
	       "%llu, unbound %llu, held %llu\n",
	       (unsigned long long)st->mapped,
	       (unsigned long long)st->upgraded,
	       (unsigned long long)st->already,
	       (unsigned long long)st->refused_pages,
	       (unsigned long long)st->outside_pages,
	       (unsigned long long)st->pool_empty,
	       (unsigned long long)st->bad_records,
	       (unsigned long long)st->unbound,
	       (unsigned long long)st->held);
	printf("  INVALIDATE requests %llu (%llu entries, %llu failed)\n",
	       (unsigned long long)st->inval_reqs,
	       (unsigned long long)st->inval_entries,
	       (unsigned long long)st->inval_errors);
	printf("  group sizes:");
	for (u32 i = 0; i <= PRQ_GROUP_MAX; i++) {
		if (!st->size_hist[i])
			continue;
		printf("%s %u:%llu", first ? "" : ",", i,
		       (unsigned long long)st->size_hist[i]);
		first = false;
	}
	printf("%s\n", first ? " none" : "");
}
