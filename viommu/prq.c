// SPDX-License-Identifier: GPL-2.0
/*
 * Page-request queue translation (include/vsva/prq.h): host fault records
 * -> groups -> guest page requests with a tag; guest PAGE_RESP -> checked
 * against the tag table -> host response.  Pure: no I/O, no globals.
 *
 * Tags.  tag = gen << PRQ_TAG_INDEX_BITS | slot.  A slot's generation
 * starts at 1 and goes up by one each time the slot is freed (answered by
 * the guest, drained, auto-answered), wrapping from PRQ_TAG_GEN_MAX back
 * to 1, so tag 0 (PRQ_TAG_NONE) is never issued and a freed tag never
 * matches the slot again until the generation comes round (2^19 - 1 uses
 * of that slot later).  Free slots are reused first-in first-out, which
 * spreads the uses over all slots.
 *
 * A tag that does not match is classified for the counters:
 *   - index >= cap, gen 0 or out of range, a gen the slot has not issued
 *     yet (its current gen while free, or a later one): UNKNOWN_TAG;
 *   - the gen just before the slot's current one: DUPLICATE (the group
 *     was answered, by the guest or by vsva);
 *   - an older gen (any other gen once the slot has wrapped): STALE.
 * A dropped answer whose gen is the last one vsva answered on this slot
 * (drain, auto-answer) is also counted in late_answers.
 */
#include <errno.h>
#include <string.h>

#include <vsva/prq.h>

#define PRQ_TAG_INDEX_MASK	(PRQ_MAX_TAGS - 1)
#define PRQ_NO_SLOT		PRQ_MAX_TAGS
#define PRQ_PAGE_MASK		0xfffULL
#define IOMMU_PGFAULT_PERM_KNOWN	0xfU

/* --- groups --- */

static int prq__group_len(const struct prq_host_fault *rec, size_t left)
{
	size_t i;

	for (i = 0; i < left && i < PRQ_MAX_GROUP; i++) {
		if (rec[i].cookie != rec[0].cookie ||
		    rec[i].dev_id != rec[0].dev_id)
			return -EINVAL;		/* cut short, or mixed */
		if (rec[i].flags & IOMMU_PGFAULT_FLAGS_LAST_PAGE)
			return (int)i + 1;
	}
	return -EINVAL;		/* no LAST_PAGE: cut short or too long */
}

int prq__split(const void *buf, size_t len, struct prq_group *out, int max,
	       size_t *bad_bytes)
{
	const struct prq_host_fault *rec = buf;
	size_t nr_rec = len / sizeof(*rec);
	size_t i = 0;
	int n = 0;

	if (bad_bytes)
		*bad_bytes = 0;
	if (len && (uintptr_t)buf % _Alignof(struct prq_host_fault))
		return -EINVAL;			/* caller bug, not the host's */
	if (len % sizeof(*rec))
		goto bad;

	while (i < nr_rec) {
		int nr = prq__group_len(&rec[i], nr_rec - i);

		if (nr < 0)
			goto bad;
		if (n >= max)
			return -ENOSPC;
		out[n].rec = &rec[i];
		out[n].nr = (u32)nr;
		out[n].cookie = rec[i].cookie;
		n++;
		i += (size_t)nr;
	}
	return n;
bad:
	/* Framing cannot be trusted past a bad record: nothing is used. */
	if (bad_bytes)
		*bad_bytes = len;
	return -EINVAL;
}

/* --- the tag table --- */

void prq__init(struct prq_table *t, u32 cap)
{
	u32 i;

	memset(t, 0, sizeof(*t));
	t->cap = MIN(cap, PRQ_MAX_TAGS);
	for (i = 0; i < PRQ_MAX_TAGS; i++) {
		t->tags[i].gen = 1;
		t->tags[i].next_free = i + 1 < t->cap ? i + 1 : PRQ_NO_SLOT;
	}
	t->free_head = t->cap ? 0 : PRQ_NO_SLOT;
	t->free_tail = t->cap ? t->cap - 1 : PRQ_NO_SLOT;
}

static u32 prq__tag_of(const struct prq_table *t, u32 slot)
{
	return t->tags[slot].gen << PRQ_TAG_INDEX_BITS | slot;
}

static int prq__alloc(struct prq_table *t)
{
	u32 slot = t->free_head;
	struct prq_tag *s;

	if (slot == PRQ_NO_SLOT)
		return -ENOSPC;
	s = &t->tags[slot];
	t->free_head = s->next_free;
	if (t->free_head == PRQ_NO_SLOT)
		t->free_tail = PRQ_NO_SLOT;
	s->next_free = PRQ_NO_SLOT;
	s->live = true;
	t->nr_live++;
	return (int)slot;
}

/* Free a live slot; @by_vsva remembers its tag for late answers. */
static void prq__free(struct prq_table *t, u32 slot, bool by_vsva)
{
	struct prq_tag *s = &t->tags[slot];

	s->vsva_gen = by_vsva ? s->gen : s->vsva_gen;
	s->live = false;
	if (s->gen == PRQ_TAG_GEN_MAX) {
		s->gen = 1;
		s->wrapped = true;
	} else {
		s->gen++;
	}
	t->nr_live--;
	s->next_free = PRQ_NO_SLOT;
	if (t->free_tail == PRQ_NO_SLOT)
		t->free_head = slot;
	else
		t->tags[t->free_tail].next_free = slot;
	t->free_tail = slot;
}

/*
 * Find the live slot of @tag: returns the slot, or -1 with *why set to the
 * reason it does not match.
 */
static int prq__find(const struct prq_table *t, u32 tag, enum prq_drop *why)
{
	u32 slot = tag & PRQ_TAG_INDEX_MASK;
	u32 gen = tag >> PRQ_TAG_INDEX_BITS;
	const struct prq_tag *s;
	u32 prev;

	*why = PRQ_DROP_UNKNOWN_TAG;
	if (slot >= t->cap || gen == 0 || gen > PRQ_TAG_GEN_MAX)
		return -1;
	s = &t->tags[slot];
	if (gen == s->gen)
		return s->live ? (int)slot : -1;
	if (s->gen > 1)
		prev = s->gen - 1;
	else
		prev = s->wrapped ? PRQ_TAG_GEN_MAX : 0;
	if (gen == prev)
		*why = PRQ_DROP_DUPLICATE;
	else if (gen < s->gen || s->wrapped)
		*why = PRQ_DROP_STALE;
	return -1;
}

struct prq_tag *prq__lookup(struct prq_table *t, u32 tag)
{
	enum prq_drop why;
	int slot = prq__find(t, tag, &why);

	return slot < 0 ? NULL : &t->tags[slot];
}

void prq__count_auto(struct prq_table *t, enum prq_auto why)
{
	if ((unsigned int)why < PRQ_AUTO__COUNT)
		t->stats.answered_by_vsva[why]++;
}

/* --- host -> guest --- */

static u32 prq__guest_flags(struct prq_table *t,
			    const struct prq_host_fault *f, bool last)
{
	u32 fl = 0;

	if ((f->flags & ~IOMMU_PGFAULT_FLAGS_KNOWN) ||
	    (f->perm & ~IOMMU_PGFAULT_PERM_KNOWN))
		t->stats.masked_flags++;
	if (f->flags & IOMMU_PGFAULT_FLAGS_PASID_VALID)
		fl |= VSVA_PRQ_F_PASID_VALID;
	if (last)
		fl |= VSVA_PRQ_F_LAST;
	if (f->perm & IOMMU_PGFAULT_PERM_READ)
		fl |= VSVA_PRQ_F_READ;
	if (f->perm & IOMMU_PGFAULT_PERM_WRITE)
		fl |= VSVA_PRQ_F_WRITE;
	if (f->perm & IOMMU_PGFAULT_PERM_EXEC)
		fl |= VSVA_PRQ_F_EXEC;
	if (f->perm & IOMMU_PGFAULT_PERM_PRIV)
		fl |= VSVA_PRQ_F_PRIV;
	return fl;
}

int prq__translate_group(struct prq_table *t, const struct prq_group *g,
			 u32 ep, u64 now, struct virtio_iommu_page_req *out)
{
	const struct prq_host_fault *last;
	struct prq_tag *s;
	u32 tag, i;
	int slot;

	if (!g->nr || g->nr > PRQ_MAX_GROUP)
		return -EINVAL;
	slot = prq__alloc(t);
	if (slot < 0) {
		t->stats.tags_exhausted++;
		return slot;
	}
	tag = prq__tag_of(t, (u32)slot);

	/* The host answers with the PASID of the group's last record. */
	last = &g->rec[g->nr - 1];
	s = &t->tags[slot];
	s->cookie = g->cookie;
	s->endpoint = ep;
	s->pasid_valid = last->flags & IOMMU_PGFAULT_FLAGS_PASID_VALID;
	s->pasid = s->pasid_valid ? last->pasid : 0;
	s->nr = g->nr;
	s->t_read = now;
	s->t_pushed = 0;

	for (i = 0; i < g->nr; i++) {
		const struct prq_host_fault *f = &g->rec[i];
		bool pv = f->flags & IOMMU_PGFAULT_FLAGS_PASID_VALID;

		out[i] = (struct virtio_iommu_page_req){
			.endpoint = ep,
			.pasid = pv ? f->pasid : 0,
			.flags = prq__guest_flags(t, f, i == g->nr - 1),
			.tag = tag,
			.address = f->addr & ~PRQ_PAGE_MASK,
			.group = f->grpid,
		};
	}
	t->stats.groups++;
	t->stats.records += g->nr;
	return (int)tag;
}

/* --- guest -> host --- */

static bool prq__resp_well_formed(const struct virtio_iommu_req_page_resp *r)
{
	size_t i;

	if (r->flags & ~(u32)VSVA_PAGE_RESP_F_PASID_VALID)
		return false;
	if (r->code > VSVA_PAGE_RESP_FAILURE)
		return false;
	for (i = 0; i < sizeof(r->reserved); i++)
		if (r->reserved[i])
			return false;
	return true;
}

static bool prq__resp_routed(const struct prq_tag *s,
			     const struct virtio_iommu_req_page_resp *r)
{
	bool pv = r->flags & VSVA_PAGE_RESP_F_PASID_VALID;

	if (r->endpoint != s->endpoint || pv != s->pasid_valid)
		return false;
	return !pv || r->pasid == s->pasid;
}

static u8 prq__drop(struct prq_table *t, u32 tag, enum prq_drop why)
{
	const struct prq_tag *s = &t->tags[tag & PRQ_TAG_INDEX_MASK];
	u32 gen = tag >> PRQ_TAG_INDEX_BITS;

	t->stats.dropped[why]++;
	if ((why == PRQ_DROP_STALE || why == PRQ_DROP_DUPLICATE) &&
	    gen == s->vsva_gen)
		t->stats.late_answers++;
	if (why == PRQ_DROP_MISROUTED || why == PRQ_DROP_BAD_CODE)
		return VIRTIO_IOMMU_S_INVAL;
	return VIRTIO_IOMMU_S_NOENT;
}

u8 prq__guest_response(struct prq_table *t,
		       const struct virtio_iommu_req_page_resp *r,
		       struct prq_host_resp *resp, bool *failure)
{
	enum prq_drop why;
	struct prq_tag *s;
	int slot;

	if (!prq__resp_well_formed(r))
		return prq__drop(t, r->tag, PRQ_DROP_BAD_CODE);
	slot = prq__find(t, r->tag, &why);
	if (slot < 0)
		return prq__drop(t, r->tag, why);
	s = &t->tags[slot];
	if (!prq__resp_routed(s, r))
		return prq__drop(t, r->tag, PRQ_DROP_MISROUTED);

	resp->cookie = s->cookie;
	resp->code = r->code == VSVA_PAGE_RESP_SUCCESS ?
		IOMMUFD_PAGE_RESP_SUCCESS : IOMMUFD_PAGE_RESP_INVALID;
	*failure = r->code == VSVA_PAGE_RESP_FAILURE;
	if (*failure)
		t->stats.guest_failure++;
	t->stats.answered_by_guest++;
	prq__free(t, (u32)slot, false);
	return VIRTIO_IOMMU_S_OK;
}

/* --- vsva answers --- */

static bool prq__in_scope(const struct prq_tag *s, u32 ep, u32 pasid)
{
	if (!s->live)
		return false;
	if (ep != PRQ_ALL_ENDPOINTS && s->endpoint != ep)
		return false;
	return pasid == PRQ_ALL_PASIDS || s->pasid == pasid;
}

int prq__drain(struct prq_table *t, u32 ep, u32 pasid, enum prq_auto why,
	       bool respond, struct prq_resp_batch *b)
{
	int n = 0;
	u32 i;

	for (i = 0; i < t->cap; i++) {
		struct prq_tag *s = &t->tags[i];

		if (!prq__in_scope(s, ep, pasid))
			continue;
		if (respond &&
		    prq_batch__add(b, s->cookie, IOMMUFD_PAGE_RESP_INVALID))
			break;		/* batch full: the rest stay live */
		prq__count_auto(t, why);
		prq__free(t, i, true);
		n++;
	}
	return n;
}

int prq__auto_answer(struct prq_table *t, u32 tag, enum prq_auto why,
		     struct prq_resp_batch *b, u32 code)
{
	enum prq_drop unused;
	int slot = prq__find(t, tag, &unused);

	if (slot < 0)
		return -ENOENT;
	if (b && prq_batch__add(b, t->tags[slot].cookie, code))
		return -ENOSPC;
	prq__count_auto(t, why);
	prq__free(t, (u32)slot, true);
	return 0;
}

/* --- response batches --- */

int prq_batch__add(struct prq_resp_batch *b, u32 cookie, u32 code)
{
	if (b->nr >= PRQ_BATCH_MAX)
		return -ENOSPC;
	b->r[b->nr++] = (struct prq_host_resp){ .cookie = cookie, .code = code };
	return 0;
}

int prq_batch__consumed(struct prq_resp_batch *b, size_t written)
{
	size_t done = written / sizeof(b->r[0]);

	if (written % sizeof(b->r[0]) || done > b->nr)
		return -EINVAL;
	if (done < b->nr) {
		/* The host stopped at entry @done: it refused it. */
		b->short_writes++;
		b->refused++;
		done++;
	}
	memmove(b->r, b->r + done, (b->nr - done) * sizeof(b->r[0]));
	b->nr -= (u32)done;
	return (int)b->nr;
}
