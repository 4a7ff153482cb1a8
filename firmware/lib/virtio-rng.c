// SPDX-License-Identifier: GPL-2.0
/* virtio-rng driver: see virtio-rng.h. */
#include <errno.h>

#include "pages.h"
#include "virtio-rng.h"

int virtio_rng__start(struct virtio_rng *r, u16 bdf,
		      u64 (*dma)(void *ctx, u64 pa), void *ctx, void *ring,
		      u64 ring_len, u16 max_size)
{
	int ret;

	*r = (struct virtio_rng){ 0 };
	ret = virtio_pci__init(&r->vd, bdf);
	if (!ret)
		ret = virtio_pci__negotiate(&r->vd, 0);
	if (ret)
		return ret;
	virtio_pci__set_dma(&r->vd, dma, ctx);
	if (ring) {
		ret = virtio_pci__setup_queue_ring(&r->vd, &r->vq, 0, max_size,
						   ring, ring_len);
	} else {
		ret = virtio_pci__setup_queue(&r->vd, &r->vq, 0, max_size);
		if (!ret) {
			r->own_ring = r->vq.desc;
			r->own_pages = ALIGN_UP(virtq__ring_bytes(r->vq.size),
						PAGE_SIZE) / PAGE_SIZE;
		}
	}
	if (!ret)
		ret = virtio_pci__driver_ok(&r->vd);
	if (ret)
		virtio_rng__stop(r);
	return ret;
}

int virtio_rng__request(struct virtio_rng *r, void *buf, u32 len,
			u32 timeout_ms, u32 *used)
{
	struct virtq_buf b = { .addr = buf, .len = len,
			       .device_writes = true };
	void *token;
	int ret;

	ret = virtq__add(&r->vq, &b, 1, buf);
	if (!ret)
		ret = virtq__wait(&r->vq, &token, used, timeout_ms);
	if (!ret && token != buf) {
		r->vq.error = "completion for another buffer";
		ret = -EPROTO;
	}
	return ret;
}

void virtio_rng__stop(struct virtio_rng *r)
{
	if (r->vd.common)
		virtio_pci__reset(&r->vd);
	if (r->own_ring)
		pages__free(r->own_ring, r->own_pages);
	r->own_ring = NULL;
}
