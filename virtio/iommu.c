// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-iommu (device 23): the virtio face of the vIOMMU core.  The
 * requestq carries requests to viommu__request(); the eventq takes fault
 * reports; every other PCI device that does DMA gets this device's
 * translation hook on its dma_space, so it reaches guest memory only
 * through its endpoint's domain.
 *
 * Locking: d->lock guards the core and the eventq.  Other devices call the
 * translation hook from their own context (holding their transport lock);
 * interrupts are raised after d->lock is dropped.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <vsva/log.h>
#include <vsva/pci.h>
#include <vsva/viommu.h>
#include <vsva/virtio-iommu.h>
#include <vsva/virtio-pci.h>
#include <vsva/vm.h>

#define VIOMMU_QUEUE_SIZE	256
#define VIOMMU_NR_QUEUES	3	/* request, event, page requests */
#define VIOMMU_REQ_MAX_IN	(8 + VSVA_INV_MAX_ENTRIES * 32)
#define VIOMMU_REQ_MAX_OUT	(VIOMMU_PROBE_SIZE + 4)
#define VIOMMU_PENDING_EVENTS	64

struct viommu_dev {
	struct virtio_device vdev;
	pthread_mutex_t lock;
	struct viommu core;
	struct emul_iommu emul;
	struct virtq *vq[VIOMMU_NR_QUEUES];
	struct virtq_chain chain;
	u8 in[VIOMMU_REQ_MAX_IN];
	u8 out[VIOMMU_REQ_MAX_OUT];

	struct virtio_iommu_fault pending[VIOMMU_PENDING_EVENTS];
	unsigned int nr_pending;
	bool signal_event;
	u64 events_sent, events_dropped, events_bad_buffer;
};

static struct viommu_dev *to_viommu(struct virtio_device *vdev)
{
	return container_of(vdev, struct viommu_dev, vdev);
}

/* Move pending fault reports into event buffers.  Under d->lock. */
static void viommu_dev__flush_events(struct viommu_dev *d)
{
	struct virtq *vq = d->vq[VIOMMU_VQ_EVENT];
	unsigned int done = 0;
	int ret;

	while (vq && done < d->nr_pending) {
		ret = virtq__pop(vq, &d->chain);
		if (ret == -EAGAIN || ret == -EIO)
			break;
		if (ret || d->chain.in_len < sizeof(d->pending[0])) {
			/* Not usable: one report never spans buffers. */
			virtq__push(vq, d->chain.head, 0);
			d->events_bad_buffer++;
			continue;
		}
		virtq_chain__write(&d->chain, 0, &d->pending[done],
				   sizeof(d->pending[0]));
		virtq__push(vq, d->chain.head, sizeof(d->pending[0]));
		d->events_sent++;
		d->signal_event = true;
		done++;
	}
	memmove(d->pending, d->pending + done,
		(d->nr_pending - done) * sizeof(d->pending[0]));
	d->nr_pending -= done;
}

static void viommu_dev__report_fault(void *opaque,
				     const struct virtio_iommu_fault *f)
{
	struct viommu_dev *d = opaque;

	if (d->nr_pending == VIOMMU_PENDING_EVENTS) {
		d->events_dropped++;
		return;
	}
	d->pending[d->nr_pending++] = *f;
	viommu_dev__flush_events(d);
}

/* After d->lock is dropped: interrupt the driver if events went out. */
static void viommu_dev__signal(struct viommu_dev *d, bool signal)
{
	struct virtq *vq = d->vq[VIOMMU_VQ_EVENT];

	if (signal && vq && virtq__should_notify(vq))
		virtio__signal_vq(&d->vdev, VIOMMU_VQ_EVENT);
}

static int viommu_dev__translate(void *opaque, u64 addr, bool write, u64 *gpa,
				 u64 *contig)
{
	struct viommu_endpoint *ep = opaque;
	struct viommu_dev *d = container_of(ep->viommu, struct viommu_dev,
					    core);
	struct viommu_access a = { .addr = addr, .write = write,
				   .pasid = VIOMMU_NO_PASID };
	struct viommu_xlate x;
	bool signal;
	int ret;

	pthread_mutex_lock(&d->lock);
	ret = viommu__translate(&d->core, ep, &a, &x);
	signal = d->signal_event;
	d->signal_event = false;
	pthread_mutex_unlock(&d->lock);
	viommu_dev__signal(d, signal);
	if (ret)
		return ret;
	*gpa = x.gpa;
	*contig = x.contig;
	return 0;
}

static void viommu_dev__requests(struct viommu_dev *d)
{
	struct virtq *vq = d->vq[VIOMMU_VQ_REQUEST];
	bool pushed = false, signal;
	int ret;

	pthread_mutex_lock(&d->lock);
	do {
		while (vq && (ret = virtq__pop(vq, &d->chain)) != -EAGAIN &&
		       ret != -EIO) {
			size_t in, out, done = 0;

			if (!ret) {
				in = MIN((size_t)d->chain.out_len, sizeof(d->in));
				out = MIN((size_t)d->chain.in_len, sizeof(d->out));
				virtq_chain__read(&d->chain, 0, d->in, in);
				done = viommu__request(&d->core, d->in, in,
						       d->out, out);
				if (done)
					virtq_chain__write(&d->chain, 0,
							   d->out, done);
			}
			virtq__push(vq, d->chain.head, (u32)done);
			pushed = true;
		}
	} while (vq && ret != -EIO && virtq__enable_notify(vq));
	signal = d->signal_event;
	d->signal_event = false;
	pthread_mutex_unlock(&d->lock);
	if (pushed && virtq__should_notify(vq))
		virtio__signal_vq(&d->vdev, VIOMMU_VQ_REQUEST);
	viommu_dev__signal(d, signal);
}

static void viommu_dev__notify(struct virtio_device *vdev, u16 q)
{
	struct viommu_dev *d = to_viommu(vdev);
	bool signal;

	if (q == VIOMMU_VQ_REQUEST) {
		viommu_dev__requests(d);
		return;
	}
	if (q == VIOMMU_VQ_EVENT) {
		pthread_mutex_lock(&d->lock);
		viommu_dev__flush_events(d);
		signal = d->signal_event;
		d->signal_event = false;
		pthread_mutex_unlock(&d->lock);
		viommu_dev__signal(d, signal);
	}
}

static int viommu_dev__queue_init(struct virtio_device *vdev, u16 q,
				  struct virtq *vq)
{
	struct viommu_dev *d = to_viommu(vdev);

	pthread_mutex_lock(&d->lock);
	d->vq[q] = vq;
	pthread_mutex_unlock(&d->lock);
	return 0;
}

static void viommu_dev__queue_exit(struct virtio_device *vdev, u16 q)
{
	struct viommu_dev *d = to_viommu(vdev);

	pthread_mutex_lock(&d->lock);
	d->vq[q] = NULL;
	pthread_mutex_unlock(&d->lock);
}

static void viommu_dev__status(struct virtio_device *vdev, u8 status)
{
	struct viommu_dev *d = to_viommu(vdev);

	if (status & VIRTIO_STATUS_FEATURES_OK) {
		pthread_mutex_lock(&d->lock);
		d->core.features = vdev->features;
		pthread_mutex_unlock(&d->lock);
	}
}

static void viommu_dev__reset(struct virtio_device *vdev)
{
	struct viommu_dev *d = to_viommu(vdev);

	pthread_mutex_lock(&d->lock);
	viommu__reset(&d->core);
	d->nr_pending = 0;
	pthread_mutex_unlock(&d->lock);
}

static void viommu_dev__config_read(struct virtio_device *vdev, u32 off,
				    void *buf, u32 len)
{
	struct viommu_dev *d = to_viommu(vdev);
	struct virtio_iommu_config cfg;

	pthread_mutex_lock(&d->lock);
	viommu__config(&d->core, &cfg);
	pthread_mutex_unlock(&d->lock);
	memcpy(buf, (u8 *)&cfg + off, len);
}

static void viommu_dev__config_write(struct virtio_device *vdev, u32 off,
				     const void *buf, u32 len)
{
	struct viommu_dev *d = to_viommu(vdev);
	u32 at = offsetof(struct virtio_iommu_config, bypass);

	/* Only bypass is writable, and only with BYPASS_CONFIG. */
	if (off > at || off + len <= at ||
	    !virtio__has_feature(vdev, VIRTIO_IOMMU_F_BYPASS_CONFIG))
		return;
	pthread_mutex_lock(&d->lock);
	d->core.bypass = ((const u8 *)buf)[at - off] & 1;
	d->core.gen++;
	pthread_mutex_unlock(&d->lock);
}

static const struct virtio_device_ops viommu_ops = {
	.name = "virtio-iommu",
	.device_id = VIRTIO_ID_IOMMU,
	.class_code = 0x088000,		/* system peripheral, other */
	.nr_queues = VIOMMU_NR_QUEUES,
	.queue_max_size = VIOMMU_QUEUE_SIZE,
	.config_size = sizeof(struct virtio_iommu_config),
	.config_read = viommu_dev__config_read,
	.config_write = viommu_dev__config_write,
	.queue_init = viommu_dev__queue_init,
	.queue_exit = viommu_dev__queue_exit,
	.notify = viommu_dev__notify,
	.reset = viommu_dev__reset,
	.status = viommu_dev__status,
};

struct viommu *virtio_iommu__core(struct virtio_device *vdev)
{
	return &to_viommu(vdev)->core;
}

/* Put every other DMA-capable PCI device behind the vIOMMU. */
static int viommu_dev__add_endpoints(struct vm *vm, struct viommu_dev *d,
				     struct pci_device *self)
{
	struct pci_device *pdev = NULL;

	while ((pdev = pci__next(vm, pdev))) {
		struct viommu_endpoint *ep;

		if (pdev == self || !pdev->dma)
			continue;
		ep = viommu__add_endpoint(&d->core, pci__devfn(pdev),
					  pdev->iommu_caps, pdev);
		if (!ep)
			return -ENOSPC;
		pdev->dma->translate = viommu_dev__translate;
		pdev->dma->opaque = ep;
		pdev->dma->gen = &d->core.gen;
		if (pdev->ops && pdev->ops->iommu_attached)
			pdev->ops->iommu_attached(pdev);
	}
	return 0;
}

int virtio_iommu__init(struct vm *vm)
{
	struct viommu_dev *d = calloc(1, sizeof(*d));
	struct pci_device *self;
	int ret;

	if (!d)
		return -ENOMEM;
	pthread_mutex_init(&d->lock, NULL);
	d->vdev.ops = &viommu_ops;
	d->vdev.priv = d;
	emul_iommu__init(&d->emul, &vm->mem);
	viommu__init(&d->core, &vm->mem, &emul_iommu_ops, &d->emul);
	d->core.report_fault = viommu_dev__report_fault;
	d->core.fault_opaque = d;
	ret = virtio_pci__init(vm, &d->vdev);
	if (ret) {
		free(d);
		return ret;
	}
	self = virtio_pci__pdev(&d->vdev);
	ret = viommu_dev__add_endpoints(vm, d, self);
	if (ret)
		return ret;
	pr_info("virtio-iommu: %d endpoints behind it", d->core.nr_eps);
	return 0;
}
