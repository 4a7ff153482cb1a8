// SPDX-License-Identifier: GPL-2.0
/* Split virtqueue, driver side. */
#include <errno.h>

#include "cpu.h"
#include "tsc.h"
#include "virtq.h"

static u64 avail_offset(u16 size)
{
	return (u64)size * sizeof(struct virtq_desc);
}

static u64 used_offset(u16 size)
{
	return ALIGN_UP(avail_offset(size) + sizeof(struct virtq_avail) +
			(size + 1) * sizeof(u16), 4);
}

u64 virtq__ring_bytes(u16 size)
{
	return used_offset(size) + sizeof(struct virtq_used) +
	       size * sizeof(struct virtq_used_elem) + sizeof(u16);
}

int virtq__init(struct virtq *vq, u16 index, u16 size, void *ring)
{
	char *base = ring;

	if (!size || size > VIRTQ_MAX_SIZE || (size & (size - 1)) ||
	    ((uintptr_t)ring & 15))
		return -EINVAL;
	*vq = (struct virtq){
		.index = index,
		.size = size,
		.desc = ring,
		.avail = (void *)(base + avail_offset(size)),
		.used = (void *)(base + used_offset(size)),
		.num_free = size,
	};
	for (u16 i = 0; i < size; i++)
		vq->next[i] = i + 1;
	/* We poll; ask the device not to interrupt. */
	vq->avail->flags = VIRTQ_AVAIL_F_NO_INTERRUPT;
	return 0;
}

u64 virtq__bus_addr(const struct virtq *vq, u64 pa)
{
	return vq->dma.addr ? vq->dma.addr(vq->dma.ctx, pa) : pa;
}

u64 virtq__desc_addr(const struct virtq *vq)
{
	return virtq__bus_addr(vq, (uintptr_t)vq->desc);
}

u64 virtq__avail_addr(const struct virtq *vq)
{
	return virtq__bus_addr(vq, (uintptr_t)vq->avail);
}

u64 virtq__used_addr(const struct virtq *vq)
{
	return virtq__bus_addr(vq, (uintptr_t)vq->used);
}

int virtq__add(struct virtq *vq, const struct virtq_buf *bufs, int n,
	       void *token)
{
	u16 head = vq->free_head, d = head, prev = head;
	u32 writable = 0;
	bool seen_write = false;

	if (n < 1 || n > vq->size) {
		vq->error = "bad chain length";
		return -EINVAL;
	}
	if (n > vq->num_free) {
		vq->error = "no free descriptors";
		return -ENOSPC;
	}
	for (int i = 0; i < n; i++) {
		if (!bufs[i].len || (seen_write && !bufs[i].device_writes)) {
			vq->error = "empty or out-of-order buffer";
			return -EINVAL;
		}
		seen_write |= bufs[i].device_writes;
	}
	for (int i = 0; i < n; i++) {
		struct virtq_desc *desc = &vq->desc[d];

		desc->addr = virtq__bus_addr(vq, (uintptr_t)bufs[i].addr);
		desc->len = bufs[i].len;
		desc->flags = bufs[i].device_writes ? VIRTQ_DESC_F_WRITE : 0;
		if (bufs[i].device_writes)
			writable += bufs[i].len;
		if (i + 1 < n) {
			desc->flags |= VIRTQ_DESC_F_NEXT;
			desc->next = vq->next[d];
		}
		prev = d;
		d = vq->next[d];
	}
	vq->free_head = d;
	vq->next[prev] = vq->size;	/* end of this chain in our mirror */
	vq->num_free -= n;
	vq->chain_len[head] = n;
	vq->writable[head] = writable;
	vq->in_flight[head] = true;
	vq->token[head] = token;

	vq->avail->ring[vq->avail_idx & (vq->size - 1)] = head;
	barrier();			/* ring entry before the index */
	vq->avail_idx++;
	*(volatile u16 *)&vq->avail->idx = vq->avail_idx;
	mb();				/* index before the notify */
	vq->notify(vq);
	return 0;
}

static void free_chain(struct virtq *vq, u16 head)
{
	u16 d = head;

	for (u16 i = 1; i < vq->chain_len[head]; i++)
		d = vq->next[d];
	vq->next[d] = vq->free_head;
	vq->free_head = head;
	vq->num_free += vq->chain_len[head];
	vq->in_flight[head] = false;
}

int virtq__get_used(struct virtq *vq, void **token, u32 *len)
{
	u16 used_idx = *(volatile u16 *)&vq->used->idx;
	struct virtq_used_elem e;

	if (used_idx == vq->last_used)
		return 0;
	if ((u16)(used_idx - vq->last_used) > vq->size) {
		vq->error = "used index ran ahead of the ring";
		return -EPROTO;
	}
	barrier();			/* entry after the index */
	e = vq->used->ring[vq->last_used & (vq->size - 1)];
	if (e.id >= vq->size || !vq->in_flight[e.id]) {
		vq->error = "used entry names no chain in flight";
		return -EPROTO;
	}
	if (e.len > vq->writable[e.id]) {
		vq->error = "used length exceeds the writable buffers";
		return -EPROTO;
	}
	vq->last_used++;
	*token = vq->token[e.id];
	*len = e.len;
	free_chain(vq, e.id);
	return 1;
}

int virtq__wait(struct virtq *vq, void **token, u32 *len, u32 timeout_ms)
{
	u64 deadline = tsc__deadline(timeout_ms);
	int ret;

	while (!(ret = virtq__get_used(vq, token, len))) {
		if (tsc__expired(deadline)) {
			vq->error = "timed out waiting for the device";
			return -ETIMEDOUT;
		}
		cpu_relax();
	}
	return ret < 0 ? ret : 0;
}
