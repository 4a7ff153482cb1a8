/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Split virtqueues (virtio 1.x, section 2.7), device side.
 *
 * Pure code: no I/O, no globals.  Every ring and buffer access goes through
 * the device's struct dma_space, and every value the driver controls is
 * checked before it is used.  A virtq is driven by one thread at a time (the
 * device's); the driver runs concurrently on other CPUs, so ring accesses
 * use acquire/release ordering and a full barrier before notification
 * decisions.
 */
#ifndef VSVA_VIRTQUEUE_H
#define VSVA_VIRTQUEUE_H

#include <vsva/types.h>
#include <vsva/guest-mem.h>

#define VIRTQ_MAX_SIZE		32768

/* Descriptor flags. */
#define VIRTQ_DESC_F_NEXT	1
#define VIRTQ_DESC_F_WRITE	2
#define VIRTQ_DESC_F_INDIRECT	4

#define VIRTQ_AVAIL_F_NO_INTERRUPT	1
#define VIRTQ_USED_F_NO_NOTIFY		1

/* Guest-visible layout (little endian; vsva is x86-64 only). */
struct virtq_desc {
	u64 addr;
	u32 len;
	u16 flags;
	u16 next;
};

struct virtq_avail {
	u16 flags;
	u16 idx;
	u16 ring[];		/* then u16 used_event */
};

struct virtq_used_elem {
	u32 id;
	u32 len;
};

struct virtq_used {
	u16 flags;
	u16 idx;
	struct virtq_used_elem ring[];	/* then u16 avail_event */
};

#define VIRTQ_DESC_ALIGN	16
#define VIRTQ_AVAIL_ALIGN	2
#define VIRTQ_USED_ALIGN	4

static inline u64 virtq__desc_bytes(u16 size)
{
	return 16ULL * size;
}

static inline u64 virtq__avail_bytes(u16 size)
{
	return 6ULL + 2ULL * size;	/* flags, idx, ring, used_event */
}

static inline u64 virtq__used_bytes(u16 size)
{
	return 6ULL + 8ULL * size;	/* flags, idx, ring, avail_event */
}

/*
 * Segments a popped chain is made of: host pointers into guest RAM.  A
 * descriptor whose buffer is not contiguous on the host (it crosses a RAM
 * region or, with a vIOMMU, a page boundary) becomes several segments.
 * Readable (driver -> device) segments always come before writable ones.
 */
#define VIRTQ_MAX_SEGS		1024
/* Entries of one indirect table (each 16 bytes). */
#define VIRTQ_MAX_INDIRECT	VIRTQ_MAX_SIZE

struct virtq_seg {
	void *ptr;
	u32 len;
	bool write;
};

struct virtq_chain {
	u16 head;		/* give it back with virtq__push() */
	u16 nr_segs;
	u16 nr_out;		/* readable segments: seg[0, nr_out) */
	u16 nr_in;		/* writable segments: seg[nr_out, nr_segs) */
	u32 out_len;		/* bytes readable */
	u32 in_len;		/* bytes writable */
	struct virtq_seg seg[VIRTQ_MAX_SEGS];
};

/* Why chains were refused: one counter per check. */
struct virtq_stats {
	u64 popped;		/* good chains handed to the device */
	u64 pushed;
	u64 bad_chains;		/* total refused chains (sum of below) */
	u64 bad_index;		/* head or next out of range */
	u64 bad_loop;		/* more descriptors than allowed */
	u64 bad_indirect;	/* not negotiated, nested, bad length, NEXT */
	u64 bad_order;		/* readable after writable */
	u64 bad_addr;		/* buffer or table outside guest RAM */
	u64 bad_len;		/* total length overflows 32 bits */
	u64 too_many_segs;	/* more than VIRTQ_MAX_SEGS segments */
	u64 bad_avail_idx;	/* avail idx ran ahead by more than size */
	u64 bad_push;		/* device pushed more than it popped */
	u64 ring_unmapped;	/* rings lost their translation */
};

struct virtq {
	const struct dma_space *dma;
	u16 size;
	bool event_idx;		/* VIRTIO_F_RING_EVENT_IDX negotiated */
	bool indirect;		/* VIRTIO_F_INDIRECT_DESC negotiated */
	bool broken;		/* fatal driver error; pop refuses */

	u64 desc_addr, avail_addr, used_addr;	/* bus addresses */
	u32 dma_gen;		/* dma->gen the ring mappings are from */
	bool unmapped;		/* rings not reachable (vIOMMU): stalled */
	struct virtq_desc *desc;		/* host mappings */
	struct virtq_avail *avail;
	struct virtq_used *used;

	u16 last_avail;		/* next avail ring slot to consume */
	u16 used_idx;		/* our copy of used->idx */
	u16 signalled_used;	/* used_idx at the last notify decision */
	bool signalled_valid;
	u32 inflight;		/* popped and not yet pushed */

	struct virtq_stats stats;
};

struct virtq_config {
	u16 size;
	u64 desc_addr, avail_addr, used_addr;
	bool event_idx, indirect;
};

/*
 * Check the driver's queue configuration (size a power of two up to
 * VIRTQ_MAX_SIZE, rings aligned and inside guest RAM through @dma) and map
 * the rings.  -EINVAL for a bad size or alignment, -EFAULT for a ring
 * outside RAM.
 */
int virtq__init(struct virtq *vq, const struct dma_space *dma,
		const struct virtq_config *cfg);
/* Back to the unconfigured state (keeps nothing). */
void virtq__reset(struct virtq *vq);

/*
 * Take the next available chain.
 *  0        @out describes a valid chain.
 *  -EAGAIN  nothing available.
 *  -EIO     the queue is broken (the driver moved avail->idx by more than
 *           the queue size); nothing more will be popped.  The transport
 *           should set DEVICE_NEEDS_RESET.
 *  other    the chain at out->head was refused (-EINVAL, -ELOOP, -EFAULT,
 *           -E2BIG, -EOVERFLOW); the device must give it back with
 *           virtq__push(vq, out->head, 0).  It is counted in vq->stats.
 */
int virtq__pop(struct virtq *vq, struct virtq_chain *out);
/* Put @head in the used ring with @len bytes written; -EINVAL if nothing is
 * in flight. */
int virtq__push(struct virtq *vq, u16 head, u32 len);
/* Does the driver want an interrupt for what was pushed since last asked? */
bool virtq__should_notify(struct virtq *vq);
/* Are chains available (without consuming them)? */
bool virtq__has_avail(struct virtq *vq);
/* How many chains are available now (0 when unusable). */
u16 virtq__avail_count(struct virtq *vq);
/*
 * Ask the driver for notifications again (avail_event with EVENT_IDX, else
 * clear VIRTQ_USED_F_NO_NOTIFY) and return true if chains arrived meanwhile,
 * so the caller processes them instead of waiting.
 */
bool virtq__enable_notify(struct virtq *vq);
/* Tell the driver not to notify (hint only). */
void virtq__disable_notify(struct virtq *vq);

/* Copy helpers over a chain's segments. */
size_t virtq_chain__read(const struct virtq_chain *c, size_t off, void *buf,
			 size_t len);
size_t virtq_chain__write(const struct virtq_chain *c, size_t off,
			  const void *buf, size_t len);

#endif
