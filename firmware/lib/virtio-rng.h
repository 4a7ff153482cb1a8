/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-rng driver (virtio 1.x section 5.4): one queue of device-writable
 * buffers the device fills with entropy. Works behind a vIOMMU: give it
 * the translation and, if the rings must sit at known pages (to map them
 * first), the ring memory.
 */
#ifndef FW_VIRTIO_RNG_H
#define FW_VIRTIO_RNG_H

#include "virtio-pci.h"

struct virtio_rng {
	struct virtio_dev vd;
	struct virtq vq;
	void *own_ring;		/* pages we allocated for the ring */
	unsigned long own_pages;
};

/*
 * Resets and starts the rng at bdf. dma: bus address of a guest-physical
 * one (NULL: identity), called with ctx. ring: the queue's memory
 * (ring_len bytes, zeroed, already mapped behind a vIOMMU), or NULL for
 * fresh pages. max_size: queue entries wanted (a power of two).
 */
int virtio_rng__start(struct virtio_rng *r, u16 bdf,
		      u64 (*dma)(void *ctx, u64 pa), void *ctx, void *ring,
		      u64 ring_len, u16 max_size);

/*
 * Queues buf (len bytes, device-writable) and waits up to timeout_ms: 0
 * with *used = bytes written, -ETIMEDOUT (the chain stays queued until
 * the next virtio_rng__stop()), or another negative errno.
 */
int virtio_rng__request(struct virtio_rng *r, void *buf, u32 len,
			u32 timeout_ms, u32 *used);

/* Resets the device and frees the ring pages it allocated. */
void virtio_rng__stop(struct virtio_rng *r);

#endif
