/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Driver side of a virtio 1.x split virtqueue, independent of the
 * transport: the transport allocates the ring memory, tells the device
 * where it is and sets vq->notify. Completions are polled, never waited
 * for by interrupt, and every used-ring entry from the device is checked.
 */
#ifndef FW_VIRTQ_H
#define FW_VIRTQ_H

#include <vsva/types.h>

#define VIRTQ_MAX_SIZE		64

#define VIRTQ_DESC_F_NEXT	1
#define VIRTQ_DESC_F_WRITE	2
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1

struct virtq_desc {
	u64 addr;
	u32 len;
	u16 flags;
	u16 next;
};

struct virtq_avail {
	u16 flags;
	u16 idx;
	u16 ring[];
};

struct virtq_used_elem {
	u32 id;
	u32 len;
};

struct virtq_used {
	u16 flags;
	u16 idx;
	struct virtq_used_elem ring[];
};

/* One element of a buffer chain; device_writes: the device fills it. The
 * pointer is the guest-physical address too (identity map); the queue's
 * struct virtq_dma turns it into the address the device is given. */
struct virtq_buf {
	void *addr;
	u32 len;
	bool device_writes;
};

/*
 * How the device reaches driver memory: addr() gives the bus address (an
 * IOVA behind a vIOMMU) of guest-physical address pa. addr == NULL: the
 * identity (no vIOMMU, or an endpoint in bypass).
 */
struct virtq_dma {
	u64 (*addr)(void *ctx, u64 pa);
	void *ctx;
};

struct virtq {
	u16 index;
	u16 size;
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
	void (*notify)(struct virtq *vq);
	void *transport;		/* for notify() */
	struct virtq_dma dma;		/* set by the transport after init */

	u16 free_head;
	u16 num_free;
	u16 avail_idx;			/* next avail->idx to publish */
	u16 last_used;			/* next used->idx entry to read */
	/* Per chain head; next[] mirrors the descriptor links we wrote. */
	u16 next[VIRTQ_MAX_SIZE];
	u16 chain_len[VIRTQ_MAX_SIZE];
	u32 writable[VIRTQ_MAX_SIZE];
	bool in_flight[VIRTQ_MAX_SIZE];
	void *token[VIRTQ_MAX_SIZE];
	const char *error;		/* why the last call failed */
};

/* Bytes of ring memory (descriptors, avail, used) for a queue of size. */
u64 virtq__ring_bytes(u16 size);

/* size: a power of two <= VIRTQ_MAX_SIZE; ring: zeroed, 16-byte aligned. */
int virtq__init(struct virtq *vq, u16 index, u16 size, void *ring);

/* The bus address of guest-physical pa, through vq->dma. */
u64 virtq__bus_addr(const struct virtq *vq, u64 pa);

/* Bus addresses of the rings, which the transport hands the device. */
u64 virtq__desc_addr(const struct virtq *vq);
u64 virtq__avail_addr(const struct virtq *vq);
u64 virtq__used_addr(const struct virtq *vq);

/* Queues a chain (device-readable elements first) and notifies the device.
 * 0, -EINVAL (bad chain) or -ENOSPC (not enough free descriptors). */
int virtq__add(struct virtq *vq, const struct virtq_buf *bufs, int n,
	       void *token);

/*
 * Takes one completed chain off the used ring: 1 with *token and *len (bytes
 * the device wrote) set, 0 if none is ready, -EPROTO if the device put a
 * bad entry there (vq->error says what).
 */
int virtq__get_used(struct virtq *vq, void **token, u32 *len);

/* Polls virtq__get_used() for up to timeout_ms: 0, -ETIMEDOUT or -EPROTO. */
int virtq__wait(struct virtq *vq, void **token, u32 *len, u32 timeout_ms);

#endif
