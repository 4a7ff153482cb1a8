// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-iommu (device 23): the virtio face of the vIOMMU core.  The
 * requestq carries requests to viommu__request(); the eventq takes fault
 * reports; every other PCI device that does DMA gets this device's
 * translation hook on its dma_space, so it reaches guest memory only
 * through its endpoint's domain.
 *
 * The requestq is processed on the relay thread (include/vsva/relay.h),
 * which also owns the page-request queue (virtqueue 2): detach and table
 * replacement happen there, between reads of the host fault FD.
 *
 * Host backend (--iommu-backend): `emul` keeps the host IOMMU in process
 * (viommu/backend-emul.c, with the emul fault queue behind the relay);
 * `iommufd` asks the kernel (viommu/backend-iommufd.c): host devices
 * (pdev->host: VFIO functions, mock SVA devices) are registered with it
 * before their endpoints exist, the relay reads the kernel's fault FD, and
 * after a PASID detach or table replacement the backend says what the
 * host did with the outstanding page requests (iommufd_be__drain).
 *
 * Locking: d->lock (recursive) guards the core, the eventq and the
 * page-request queue.  Other devices call the translation hook from their
 * own context (holding their transport lock); interrupts are raised after
 * d->lock is dropped.  The per-endpoint page-request counters are touched
 * on the relay thread only (read there too, through relay__call).
 *
 * The device is split by job (virtio/iommu-priv.h is what they share):
 * this file is the virtio device (queues, requests, fault events,
 * config, reset, set-up, release); iommu-prq.c the page-request queue
 * and the relay glue; iommu-backend.c choosing and setting up the host
 * backend; iommu-ep.c the endpoints.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <vsva/backend-iommufd.h>
#include <vsva/emul-fq.h>
#include <vsva/log.h>
#include <vsva/relay.h>
#include <vsva/viommu.h>
#include <vsva/virtio-iommu.h>
#include <vsva/virtio-pci.h>
#include <vsva/vm.h>

#include "iommu-priv.h"

static struct viommu_dev *to_viommu(struct virtio_device *vdev)
{
	return container_of(vdev, struct viommu_dev, vdev);
}

/* --- fault reports: the eventq --- */

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
void viommu_dev__signal(struct viommu_dev *d, bool signal)
{
	struct virtq *vq = d->vq[VIOMMU_VQ_EVENT];

	if (signal && vq && virtq__should_notify(vq))
		virtio__signal_vq(&d->vdev, VIOMMU_VQ_EVENT);
}

/* --- requests: the requestq (on the relay thread if there is one) --- */

static void viommu_dev__requests(struct viommu_dev *d);

void viommu_dev__relay_requests(void *g)
{
	viommu_dev__requests(g);
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
	/* Guest answers of this kick go to the host in one write, when the
	 * relay's loop comes round (the requestq runs on its thread). */
	if (pushed && virtq__should_notify(vq))
		virtio__signal_vq(&d->vdev, VIOMMU_VQ_REQUEST);
	viommu_dev__signal(d, signal);
}

/* --- virtio_device_ops --- */

static void viommu_dev__notify(struct virtio_device *vdev, u16 q)
{
	struct viommu_dev *d = to_viommu(vdev);
	bool signal;

	if (q == VIOMMU_VQ_REQUEST) {
		if (d->relay)
			relay__kick_requests(d->relay);
		else
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

/* Guest reset of the vIOMMU (relay thread): vsva answers every
 * outstanding page request, then everything is detached. */
static void viommu_dev__reset_all(struct relay *r, void *arg)
{
	struct viommu_dev *d = arg;

	if (!r)
		goto detach;
	relay__quiesce(r);
	relay__drop(r, PRQ_ALL_ENDPOINTS, PRQ_ALL_PASIDS, PRQ_AUTO_GUEST_RESET,
		    true);
detach:
	pthread_mutex_lock(&d->lock);
	viommu__reset(&d->core);
	d->nr_pending = 0;
	pthread_mutex_unlock(&d->lock);
}

static void viommu_dev__reset(struct virtio_device *vdev)
{
	struct viommu_dev *d = to_viommu(vdev);

	if (d->relay)
		relay__call(d->relay, viommu_dev__reset_all, d);
	else
		viommu_dev__reset_all(NULL, d);
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

static void viommu_dev__release(struct virtio_device *vdev)
{
	struct viommu_dev *d = to_viommu(vdev);
	struct relay_stats rs;

	if (d->relay) {
		relay__stop(d->relay);
		relay__stats(d->relay, &rs);
		pr_info("virtio-iommu: relay: %llu groups, %llu records, %llu answered by the guest, %llu reads (%llu empty)",
			(unsigned long long)rs.prq.groups,
			(unsigned long long)rs.prq.records,
			(unsigned long long)rs.prq.answered_by_guest,
			(unsigned long long)rs.reads,
			(unsigned long long)rs.empty_reads);
		if (d->backend == VM_IOMMU_IOMMUFD)
			viommu_dev__host_summary(d, &rs);
	}
	if (d->backend == VM_IOMMU_IOMMUFD) {
		viommu_dev__ep_summary(d);
		/* The relay is stopped: the core's teardown must not use it. */
		d->core.prq_hook = NULL;
		pthread_mutex_lock(&d->lock);
		viommu__free(&d->core);
		pthread_mutex_unlock(&d->lock);
		if (d->be_up && iommufd_be__destroy(&d->be))
			pr_warn("virtio-iommu: the host did not take back everything (see above)");
		pr_info("virtio-iommu: iommufd: %llu host calls (%llu failed), %llu tables bound, %llu replaced, %llu detached, %llu HWPT_INVALIDATE",
			(unsigned long long)d->be.stats.ioctls,
			(unsigned long long)d->be.stats.errors,
			(unsigned long long)d->be.stats.tables_bound,
			(unsigned long long)d->be.stats.replaces,
			(unsigned long long)d->be.stats.detaches,
			(unsigned long long)d->be.stats.inval_ioctls);
		relay__destroy(d->relay);
		if (d->ifd_open)
			iommufd__close(&d->ifd);
	} else {
		relay__destroy(d->relay);
		emul_fq__destroy(d->emul.fq);
		pthread_mutex_lock(&d->lock);
		viommu__free(&d->core);
		pthread_mutex_unlock(&d->lock);
	}
	pr_info("virtio-iommu: %llu requests, %llu faults (%llu events sent, %llu dropped)",
		(unsigned long long)d->core.counters.requests,
		(unsigned long long)d->core.counters.faults,
		(unsigned long long)d->events_sent,
		(unsigned long long)d->events_dropped);
	free(d);
}

static const struct virtio_device_ops viommu_ops = {
	.release = viommu_dev__release,
	.name = "virtio-iommu",
	.device_id = VIRTIO_ID_IOMMU,
	.class_code = 0x088000,		/* system peripheral, other */
	.nr_queues = VIOMMU_NR_QUEUES,
	.queue_max_size = VIOMMU_QUEUE_SIZE,
	.config_size = sizeof(struct virtio_iommu_config),
	.features = VIOMMU_DEVICE_FEATURES,
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

/* --- set-up, and what the vm asks of it --- */

int virtio_iommu__init(struct vm *vm)
{
	struct viommu_dev *d = calloc(1, sizeof(*d));
	struct pci_device *self;
	int ret, nr_mock;

	if (!d)
		return -ENOMEM;
	{
		pthread_mutexattr_t attr;

		pthread_mutexattr_init(&attr);
		pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
		pthread_mutex_init(&d->lock, &attr);
		pthread_mutexattr_destroy(&attr);
	}
	d->vdev.ops = &viommu_ops;
	d->vdev.priv = d;
	d->ifd.fd = -1;
	ret = viommu_dev__pick_backend(vm, d, &nr_mock);
	if (ret) {
		free(d);
		return ret;
	}
	if (d->backend == VM_IOMMU_IOMMUFD)
		ret = viommu_dev__init_iommufd(vm, d, nr_mock);
	else
		ret = viommu_dev__init_emul(vm, d);
	d->core.report_fault = viommu_dev__report_fault;
	d->core.fault_opaque = d;
	d->core.page_resp = viommu_dev__page_resp;
	d->core.prq_opaque = d;
	if (ret)
		goto err;
	ret = virtio_pci__init(vm, &d->vdev);
	if (ret)
		goto err;
	self = virtio_pci__pdev(&d->vdev);
	ret = viommu_dev__add_endpoints(vm, d, self);
	if (ret)
		return ret;
	if (d->backend == VM_IOMMU_EMUL)
		ret = emul_fq__start(d->emul.fq);
	if (!ret && d->relay)
		ret = relay__start(d->relay);
	if (ret)
		return ret;
	vm->viommu = d;
	pr_info("virtio-iommu: %d endpoints behind it (%s backend)",
		d->core.nr_eps, d->core.be->name);
	return 0;
err:
	viommu_dev__undo(d);
	return ret;
}

/* Before the devices go: vsva answers every outstanding page request. */
void virtio_iommu__exit(struct vm *vm)
{
	struct viommu_dev *d = vm->viommu;

	if (d && d->relay)
		relay__stop(d->relay);
}

struct emul_fq *virtio_iommu__vm_fault_queue(struct vm *vm)
{
	struct viommu_dev *d = vm->viommu;

	return d ? d->emul.fq : NULL;
}

struct pci_device *virtio_iommu__pdev(struct vm *vm)
{
	struct viommu_dev *d = vm->viommu;

	return d ? virtio_pci__pdev(&d->vdev) : NULL;
}

struct relay *virtio_iommu__relay(struct vm *vm)
{
	struct viommu_dev *d = vm->viommu;

	return d ? d->relay : NULL;
}
