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
 * Locking: d->lock (recursive) guards the core, the eventq and the
 * page-request queue.  Other devices call the translation hook from their
 * own context (holding their transport lock); interrupts are raised after
 * d->lock is dropped.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <vsva/emul-fq.h>
#include <vsva/log.h>
#include <vsva/pci.h>
#include <vsva/relay.h>
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

	struct relay *relay;
	struct virtq_chain prq_chain;
	u64 prq_bad_buffers;
	/* endpoints that raise page requests, for Response Failure */
	struct {
		u32 ep;
		void (*pri_failure)(void *dev);
		void *dev;
	} prq_devs[8];
	int nr_prq_devs;
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

static void viommu_dev__requests(struct viommu_dev *d);

static void viommu_dev__relay_requests(void *g)
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

/* --- the page-request queue, for the relay (its thread) --- */

static int viommu_dev__prq_room(void *g)
{
	struct viommu_dev *d = g;
	struct virtq *vq;
	int n;

	pthread_mutex_lock(&d->lock);
	vq = d->vq[VIOMMU_VQ_PAGE_REQ];
	if (!vq || !virtio__has_feature(&d->vdev, VIRTIO_IOMMU_F_VSVA_PAGE_REQ))
		n = -1;
	else
		n = virtq__avail_count(vq);
	pthread_mutex_unlock(&d->lock);
	return n;
}

static void viommu_dev__prq_push(void *g, const struct virtio_iommu_page_req *rec,
				 u32 n)
{
	struct viommu_dev *d = g;
	struct virtq *vq;

	pthread_mutex_lock(&d->lock);
	vq = d->vq[VIOMMU_VQ_PAGE_REQ];
	for (u32 i = 0; vq && i < n; ) {
		int ret = virtq__pop(vq, &d->prq_chain);

		if (ret == -EAGAIN || ret == -EIO)
			break;	/* room was checked: only a broken queue */
		if (ret || d->prq_chain.in_len < sizeof(*rec)) {
			virtq__push(vq, d->prq_chain.head, 0);
			d->prq_bad_buffers++;
			continue;
		}
		virtq_chain__write(&d->prq_chain, 0, &rec[i], sizeof(*rec));
		virtq__push(vq, d->prq_chain.head, sizeof(*rec));
		i++;
	}
	pthread_mutex_unlock(&d->lock);
}

static void viommu_dev__prq_kick(void *g)
{
	struct viommu_dev *d = g;
	struct virtq *vq = d->vq[VIOMMU_VQ_PAGE_REQ];

	if (vq && virtq__should_notify(vq))
		virtio__signal_vq(&d->vdev, VIOMMU_VQ_PAGE_REQ);
}

static void viommu_dev__prq_failure(void *g, u32 ep)
{
	struct viommu_dev *d = g;

	for (int i = 0; i < d->nr_prq_devs; i++)
		if (d->prq_devs[i].ep == ep && d->prq_devs[i].pri_failure)
			d->prq_devs[i].pri_failure(d->prq_devs[i].dev);
}

static const struct relay_guest_ops viommu_relay_ops = {
	.room = viommu_dev__prq_room,
	.push = viommu_dev__prq_push,
	.kick = viommu_dev__prq_kick,
	.requests = viommu_dev__relay_requests,
	.pri_failure = viommu_dev__prq_failure,
};

static u64 viommu_dev__raised_at(void *h, u32 cookie)
{
	return emul_fq__raised_at(h, cookie);
}

static void viommu_dev__answered(void *h, u32 cookie, u64 t)
{
	emul_fq__answered(h, cookie, t);
}

static const struct relay_host_ops viommu_emul_host_ops = {
	.raised_at = viommu_dev__raised_at,
	.answered = viommu_dev__answered,
};

/* Core hooks (relay thread: the requestq is processed there). */
static u8 viommu_dev__page_resp(void *opaque,
				const struct virtio_iommu_req_page_resp *r)
{
	struct viommu_dev *d = opaque;

	return relay__page_resp(d->relay, r);
}

static void viommu_dev__prq_hook(void *opaque, struct viommu_endpoint *ep,
				 u32 pasid, int phase, bool replace)
{
	struct viommu_dev *d = opaque;

	if (!ep->dev_id)
		return;
	if (phase == VIOMMU_PRQ_BEFORE)
		relay__quiesce(d->relay);
	else
		relay__drop(d->relay, ep->id, pasid,
			    replace ? PRQ_AUTO_REPLACE : PRQ_AUTO_DETACH,
			    false);
}

/* --- what devices behind the vIOMMU use --- */

static struct viommu_dev *viommu_dev__of(struct viommu_endpoint *ep)
{
	return container_of(ep->viommu, struct viommu_dev, core);
}

int virtio_iommu__translate(struct viommu_endpoint *ep,
			    const struct viommu_access *a,
			    struct viommu_xlate *x)
{
	struct viommu_dev *d = viommu_dev__of(ep);
	bool signal;
	int ret;

	pthread_mutex_lock(&d->lock);
	ret = viommu__translate(&d->core, ep, a, x);
	signal = d->signal_event;
	d->signal_event = false;
	pthread_mutex_unlock(&d->lock);
	viommu_dev__signal(d, signal);
	return ret;
}

struct emul_fq *virtio_iommu__fault_queue(struct viommu_endpoint *ep)
{
	return viommu_dev__of(ep)->emul.fq;
}

void virtio_iommu__register_prq(struct viommu_endpoint *ep, u32 dev_id,
				void (*pri_failure)(void *dev), void *dev)
{
	struct viommu_dev *d = viommu_dev__of(ep);

	ep->dev_id = dev_id;
	relay__map_device(d->relay, dev_id, ep->id);
	if (d->nr_prq_devs < (int)ARRAY_SIZE(d->prq_devs)) {
		d->prq_devs[d->nr_prq_devs].ep = ep->id;
		d->prq_devs[d->nr_prq_devs].pri_failure = pri_failure;
		d->prq_devs[d->nr_prq_devs].dev = dev;
		d->nr_prq_devs++;
	}
}

static void viommu_dev__reset_ep(struct relay *r, void *arg)
{
	struct viommu_endpoint *ep = arg;

	relay__quiesce(r);
	relay__drop(r, ep->id, PRQ_ALL_PASIDS, PRQ_AUTO_DEVICE_RESET, true);
}

void virtio_iommu__ep_reset(struct viommu_endpoint *ep)
{
	relay__call(viommu_dev__of(ep)->relay, viommu_dev__reset_ep, ep);
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
	}
	relay__destroy(d->relay);
	emul_fq__destroy(d->emul.fq);
	pthread_mutex_lock(&d->lock);
	viommu__free(&d->core);
	pthread_mutex_unlock(&d->lock);
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

/* Put every other DMA-capable PCI device behind the vIOMMU, except those
 * the user kept out (pdev->no_iommu). */
static int viommu_dev__add_endpoints(struct vm *vm, struct viommu_dev *d,
				     struct pci_device *self)
{
	struct pci_device *pdev = NULL;

	while ((pdev = pci__next(vm, pdev))) {
		struct viommu_endpoint *ep;

		if (pdev == self || !pdev->dma || pdev->no_iommu)
			continue;
		ep = viommu__add_endpoint(&d->core, pci__devfn(pdev),
					  pdev->iommu_caps, pdev);
		if (!ep)
			return -ENOSPC;
		pdev->dma->translate = viommu_dev__translate;
		pdev->dma->opaque = ep;
		pdev->dma->gen = &d->core.gen;
		if (pdev->ops && pdev->ops->iommu_attached)
			pdev->ops->iommu_attached(pdev, ep);
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
	{
		pthread_mutexattr_t attr;

		pthread_mutexattr_init(&attr);
		pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
		pthread_mutex_init(&d->lock, &attr);
		pthread_mutexattr_destroy(&attr);
	}
	d->vdev.ops = &viommu_ops;
	d->vdev.priv = d;
	emul_iommu__init(&d->emul, &vm->mem);
	viommu__init(&d->core, &vm->mem, &emul_iommu_ops, &d->emul);
	d->core.report_fault = viommu_dev__report_fault;
	d->core.fault_opaque = d;
	d->core.page_resp = viommu_dev__page_resp;
	d->core.prq_hook = viommu_dev__prq_hook;
	d->core.prq_opaque = d;

	ret = emul_fq__create(&d->emul.fq);
	if (ret)
		goto err;
	{
		struct relay_config rc = {
			.fd = emul_fq__fd(d->emul.fq),
			.mode = vm->cfg->relay_poll ? RELAY_POLL : RELAY_URING,
			.guest = &viommu_relay_ops, .g = d,
			.host = &viommu_emul_host_ops, .h = d->emul.fq,
			.timeout_ns = vm->cfg->prq_timeout_ms * 1000000ULL,
		};

		ret = relay__create(&d->relay, &rc);
		if (ret)
			goto err;
	}
	ret = virtio_pci__init(vm, &d->vdev);
	if (ret)
		goto err;
	self = virtio_pci__pdev(&d->vdev);
	ret = viommu_dev__add_endpoints(vm, d, self);
	if (ret)
		return ret;
	ret = emul_fq__start(d->emul.fq);
	if (!ret)
		ret = relay__start(d->relay);
	if (ret)
		return ret;
	vm->viommu = d;
	pr_info("virtio-iommu: %d endpoints behind it", d->core.nr_eps);
	return 0;
err:
	relay__destroy(d->relay);
	emul_fq__destroy(d->emul.fq);
	free(d);
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
