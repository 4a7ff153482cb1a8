// SPDX-License-Identifier: GPL-2.0
/*
 * Split virtqueue, device side.  Pure: the only way out of this file is the
 * device's dma_space.  Every index, flag, length and address the driver
 * wrote is checked here; a chain that fails a check is refused (counted,
 * and handed back to the driver with length 0 by the device), a ring index
 * that runs ahead breaks the queue.  Nothing the driver does can make us
 * touch memory outside guest RAM or loop without bound.
 */
#include <errno.h>
#include <string.h>

#include <vsva/virtqueue.h>

#define LOAD(p)		__atomic_load_n((p), __ATOMIC_RELAXED)
#define STORE(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELAXED)

static bool is_pow2(u32 x)
{
	return x && !(x & (x - 1));
}

void virtq__reset(struct virtq *vq)
{
	memset(vq, 0, sizeof(*vq));
}

int virtq__init(struct virtq *vq, const struct dma_space *dma,
		const struct virtq_config *cfg)
{
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;

	virtq__reset(vq);
	if (!is_pow2(cfg->size) || cfg->size > VIRTQ_MAX_SIZE)
		return -EINVAL;
	if (!IS_ALIGNED(cfg->desc_addr, VIRTQ_DESC_ALIGN) ||
	    !IS_ALIGNED(cfg->avail_addr, VIRTQ_AVAIL_ALIGN) ||
	    !IS_ALIGNED(cfg->used_addr, VIRTQ_USED_ALIGN))
		return -EINVAL;

	if (dma->gen)
		vq->dma_gen = *dma->gen;
	desc = dma_space__ptr(dma, cfg->desc_addr,
			      virtq__desc_bytes(cfg->size), false);
	avail = dma_space__ptr(dma, cfg->avail_addr,
			       virtq__avail_bytes(cfg->size), false);
	used = dma_space__ptr(dma, cfg->used_addr,
			      virtq__used_bytes(cfg->size), true);
	if (!desc || !avail || !used)
		return -EFAULT;

	vq->dma = dma;
	vq->size = cfg->size;
	vq->event_idx = cfg->event_idx;
	vq->indirect = cfg->indirect;
	vq->desc_addr = cfg->desc_addr;
	vq->avail_addr = cfg->avail_addr;
	vq->used_addr = cfg->used_addr;
	vq->desc = desc;
	vq->avail = avail;
	vq->used = used;
	/* The driver starts both rings at 0 (virtio 1.x 2.7.13, 2.7.14). */
	vq->used_idx = LOAD(&used->idx);
	vq->last_avail = vq->used_idx;
	return 0;
}

/*
 * Translate the rings again if the DMA space changed under them (a vIOMMU
 * unmap or detach).  Rings that are no longer reachable stall the queue
 * until the translation changes again; the translator reported the fault.
 * Returns false while stalled.
 */
static bool virtq__mapped(struct virtq *vq)
{
	u32 gen;

	if (!vq->dma || !vq->dma->gen)
		return true;
	gen = __atomic_load_n(vq->dma->gen, __ATOMIC_ACQUIRE);
	if (gen != vq->dma_gen) {
		void *desc, *avail, *used;

		vq->dma_gen = gen;
		desc = dma_space__ptr(vq->dma, vq->desc_addr,
				      virtq__desc_bytes(vq->size), false);
		avail = desc ? dma_space__ptr(vq->dma, vq->avail_addr,
					      virtq__avail_bytes(vq->size),
					      false) : NULL;
		used = avail ? dma_space__ptr(vq->dma, vq->used_addr,
					      virtq__used_bytes(vq->size),
					      true) : NULL;
		vq->unmapped = !used;
		if (vq->unmapped) {
			vq->stats.ring_unmapped++;
		} else {
			vq->desc = desc;
			vq->avail = avail;
			vq->used = used;
		}
	}
	return !vq->unmapped;
}

static u16 *virtq__used_event(struct virtq *vq)
{
	return &vq->avail->ring[vq->size];
}

static u16 *virtq__avail_event(struct virtq *vq)
{
	return (u16 *)&vq->used->ring[vq->size];
}

/* The guest-physical region holding @gpa, or NULL. */
static const struct guest_mem_region *region_of(const struct guest_mem *mem,
						u64 gpa)
{
	int i;

	for (i = 0; i < mem->nr_regions; i++) {
		const struct guest_mem_region *r = &mem->regions[i];

		if (gpa >= r->gpa && gpa - r->gpa < r->size)
			return r;
	}
	return NULL;
}

/*
 * Append the buffer [addr, addr + len) to @c as host segments, splitting it
 * where the translation or the RAM region is not contiguous.
 */
static int virtq__map(struct virtq *vq, u64 addr, u32 len, bool write,
		      struct virtq_chain *c)
{
	const struct dma_space *ds = vq->dma;
	u64 left = len;
	bool first = true;

	if (addr + len < addr)
		return -EFAULT;

	while (left) {
		const struct guest_mem_region *r;
		struct virtq_seg *prev;
		u64 gpa, contig, chunk;
		void *ptr;

		if (ds->translate) {
			if (ds->translate(ds->opaque, addr, write, &gpa,
					  &contig) < 0 || !contig)
				return -EFAULT;
		} else {
			gpa = addr;
			contig = left;
		}
		chunk = MIN(contig, left);
		r = region_of(ds->mem, gpa);
		if (!r)
			return -EFAULT;
		chunk = MIN(chunk, r->gpa + r->size - gpa);
		ptr = guest_mem__ptr(ds->mem, gpa, chunk);
		if (!ptr)
			return -EFAULT;

		prev = c->nr_segs ? &c->seg[c->nr_segs - 1] : NULL;
		if (!first && prev && (u8 *)prev->ptr + prev->len == ptr) {
			/* Same descriptor, contiguous on the host: one seg. */
			prev->len += chunk;
		} else {
			if (c->nr_segs >= VIRTQ_MAX_SEGS)
				return -E2BIG;
			c->seg[c->nr_segs].ptr = ptr;
			c->seg[c->nr_segs].len = chunk;
			c->seg[c->nr_segs].write = write;
			c->nr_segs++;
		}
		first = false;
		addr += chunk;
		left -= chunk;
	}
	return 0;
}

static void virtq__read_desc(struct virtq *vq, u16 idx, struct virtq_desc *d)
{
	struct virtq_desc *s = &vq->desc[idx];

	/* One load per field: the driver may rewrite it under us. */
	d->addr = LOAD(&s->addr);
	d->len = LOAD(&s->len);
	d->flags = LOAD(&s->flags);
	d->next = LOAD(&s->next);
}

/* Walk the chain starting at @head into @c.  Counts what it refuses. */
static int virtq__walk(struct virtq *vq, u16 head, struct virtq_chain *c)
{
	struct virtq_stats *st = &vq->stats;
	u64 out_len = 0, in_len = 0;
	u64 table = 0;
	u32 table_len = vq->size;	/* entries in the current table */
	u32 limit = vq->size;		/* descriptors allowed in it */
	u32 count = 0;
	u32 idx = head;
	bool indirect = false, seen_write = false;
	struct virtq_desc d;
	int r;

	for (;;) {
		if (idx >= table_len) {
			st->bad_index++;
			return -EINVAL;
		}
		if (++count > limit) {
			st->bad_loop++;
			return -ELOOP;
		}
		if (indirect) {
			if (dma_space__read(vq->dma, table + 16ULL * idx, &d,
					    sizeof(d))) {
				st->bad_addr++;
				return -EFAULT;
			}
		} else {
			virtq__read_desc(vq, idx, &d);
		}

		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			/* F_WRITE is ignored here (2.7.5.3.2). */
			if (!vq->indirect || indirect ||
			    (d.flags & VIRTQ_DESC_F_NEXT) || !d.len ||
			    d.len % sizeof(struct virtq_desc) ||
			    d.len / sizeof(struct virtq_desc) >
			    VIRTQ_MAX_INDIRECT) {
				st->bad_indirect++;
				return -EINVAL;
			}
			if (d.addr + d.len < d.addr) {
				st->bad_addr++;
				return -EFAULT;
			}
			indirect = true;
			table = d.addr;
			table_len = d.len / sizeof(struct virtq_desc);
			limit = table_len;
			count = 0;
			idx = 0;
			continue;
		}

		if (d.flags & VIRTQ_DESC_F_WRITE) {
			seen_write = true;
			in_len += d.len;
		} else {
			if (seen_write) {
				st->bad_order++;
				return -EINVAL;
			}
			out_len += d.len;
		}
		if (in_len > UINT32_MAX || out_len > UINT32_MAX) {
			st->bad_len++;
			return -EOVERFLOW;
		}
		if (d.len) {
			r = virtq__map(vq, d.addr, d.len,
				       d.flags & VIRTQ_DESC_F_WRITE, c);
			if (r == -E2BIG) {
				st->too_many_segs++;
				return r;
			}
			if (r) {
				st->bad_addr++;
				return r;
			}
		}
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			break;
		idx = d.next;
	}

	c->out_len = out_len;
	c->in_len = in_len;
	for (idx = 0; idx < c->nr_segs && !c->seg[idx].write; idx++)
		;
	c->nr_out = idx;
	c->nr_in = c->nr_segs - idx;
	return 0;
}

int virtq__pop(struct virtq *vq, struct virtq_chain *c)
{
	u16 avail_idx, head;
	int r;

	c->head = 0;
	c->nr_segs = c->nr_out = c->nr_in = 0;
	c->out_len = c->in_len = 0;

	if (!vq->desc || vq->broken)
		return -EIO;
	if (!virtq__mapped(vq))
		return -EAGAIN;

	/* Acquire: ring entries are read after the index that covers them. */
	avail_idx = __atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE);
	if (avail_idx == vq->last_avail)
		return -EAGAIN;
	if ((u16)(avail_idx - vq->last_avail) > vq->size) {
		vq->stats.bad_avail_idx++;
		vq->broken = true;
		return -EIO;
	}

	head = LOAD(&vq->avail->ring[vq->last_avail & (vq->size - 1)]);
	vq->last_avail++;
	vq->inflight++;
	c->head = head;

	r = virtq__walk(vq, head, c);
	if (r) {
		vq->stats.bad_chains++;
		c->nr_segs = c->nr_out = c->nr_in = 0;
		c->out_len = c->in_len = 0;
		return r;
	}
	vq->stats.popped++;
	return 0;
}

int virtq__push(struct virtq *vq, u16 head, u32 len)
{
	struct virtq_used_elem *e;

	if (!vq->used)
		return -EIO;
	if (!virtq__mapped(vq)) {
		/* The chain cannot be returned: the driver lost it. */
		if (vq->inflight)
			vq->inflight--;
		return -EFAULT;
	}
	if (!vq->inflight) {
		vq->stats.bad_push++;
		return -EINVAL;
	}
	vq->inflight--;

	e = &vq->used->ring[vq->used_idx & (vq->size - 1)];
	STORE(&e->id, (u32)head);
	STORE(&e->len, len);
	vq->used_idx++;
	/* Release: the element is visible before the index that covers it. */
	__atomic_store_n(&vq->used->idx, vq->used_idx, __ATOMIC_RELEASE);
	vq->stats.pushed++;
	return 0;
}

bool virtq__should_notify(struct virtq *vq)
{
	u16 old, new, event;
	bool valid;

	if (!vq->used || !virtq__mapped(vq))
		return false;
	/* Our used->idx store is ordered before we read the driver's wish. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);

	if (!vq->event_idx)
		return !(LOAD(&vq->avail->flags) & VIRTQ_AVAIL_F_NO_INTERRUPT);

	old = vq->signalled_used;
	new = vq->used_idx;
	valid = vq->signalled_valid;
	vq->signalled_used = new;
	vq->signalled_valid = true;
	if (!valid)
		return true;	/* first decision: be safe */

	event = LOAD(virtq__used_event(vq));
	/* Did used idx move past used_event in (old, new]? */
	return (u16)(new - event - 1) < (u16)(new - old);
}

bool virtq__has_avail(struct virtq *vq)
{
	if (!vq->avail || vq->broken || !virtq__mapped(vq))
		return false;
	return __atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE) !=
	       vq->last_avail;
}

u16 virtq__avail_count(struct virtq *vq)
{
	u16 n;

	if (!vq->avail || vq->broken || !virtq__mapped(vq))
		return 0;
	n = (u16)(__atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE) -
		  vq->last_avail);
	return n > vq->size ? 0 : n;
}

bool virtq__enable_notify(struct virtq *vq)
{
	if (!vq->used || !virtq__mapped(vq))
		return false;
	if (vq->event_idx)
		STORE(virtq__avail_event(vq), vq->last_avail);
	else
		STORE(&vq->used->flags, (u16)(LOAD(&vq->used->flags) &
					      ~VIRTQ_USED_F_NO_NOTIFY));
	/* Publish before we look at avail->idx again (pairs with the
	 * driver's barrier between its idx store and its notify check). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return virtq__has_avail(vq);
}

void virtq__disable_notify(struct virtq *vq)
{
	if (!vq->used || vq->event_idx || !virtq__mapped(vq))
		return;
	STORE(&vq->used->flags, (u16)(LOAD(&vq->used->flags) |
				      VIRTQ_USED_F_NO_NOTIFY));
}

size_t virtq_chain__read(const struct virtq_chain *c, size_t off, void *buf,
			 size_t len)
{
	size_t done = 0;
	u16 i;

	for (i = 0; i < c->nr_out && done < len; i++) {
		const struct virtq_seg *s = &c->seg[i];
		size_t n;

		if (off >= s->len) {
			off -= s->len;
			continue;
		}
		n = MIN(s->len - off, len - done);
		memcpy((u8 *)buf + done, (u8 *)s->ptr + off, n);
		done += n;
		off = 0;
	}
	return done;
}

size_t virtq_chain__write(const struct virtq_chain *c, size_t off,
			  const void *buf, size_t len)
{
	size_t done = 0;
	u16 i;

	for (i = c->nr_out; i < c->nr_segs && done < len; i++) {
		const struct virtq_seg *s = &c->seg[i];
		size_t n;

		if (off >= s->len) {
			off -= s->len;
			continue;
		}
		n = MIN(s->len - off, len - done);
		memcpy((u8 *)s->ptr + off, (const u8 *)buf + done, n);
		done += n;
		off = 0;
	}
	return done;
}
