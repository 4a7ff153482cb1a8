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
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <vsva/backend-iommufd.h>
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
#define VIOMMU_MAX_PRQ_DEVS	16

/* An endpoint that raises page requests, and what went through for it. */
struct viommu_prq_dev {
	u32 ep;
	u32 dev_id;		/* host device ID in fault records */
	void (*pri_failure)(void *dev);
	void *dev;
	struct virtio_iommu_ep_stats st;	/* per-endpoint fields only */
};

struct viommu_dev {
	struct virtio_device vdev;
	pthread_mutex_t lock;
	struct viommu core;
	enum vm_iommu_backend backend;	/* EMUL or IOMMUFD, never AUTO */
	struct emul_iommu emul;
	/* iommufd backend */
	struct iommufd ifd;
	bool ifd_open, be_up;
	struct iommufd_be be;
	struct guest_mem be_mem;	/* the RAM stage 2 maps */
	u64 vsva_answered_drops;	/* detach/replace: vsva answered */
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
	/* endpoints that raise page requests: counters, Response Failure */
	struct viommu_prq_dev prq_devs[VIOMMU_MAX_PRQ_DEVS];
	int nr_prq_devs;
};

static struct viommu_prq_dev *viommu_dev__prq_dev(struct viommu_dev *d, u32 ep)
{
	for (int i = 0; i < d->nr_prq_devs; i++)
		if (d->prq_devs[i].ep == ep)
			return &d->prq_devs[i];
	return NULL;
}

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
	struct viommu_prq_dev *pd;
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
		pd = viommu_dev__prq_dev(d, rec[i].endpoint);
		if (pd) {
			pd->st.records++;
			if (rec[i].flags & VSVA_PRQ_F_LAST)
				pd->st.groups++;
		}
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
	struct viommu_prq_dev *pd = viommu_dev__prq_dev(d, ep);

	if (pd && pd->pri_failure)
		pd->pri_failure(pd->dev);
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
	struct viommu_prq_dev *pd = viommu_dev__prq_dev(d, r->endpoint);
	u8 st;

	/* No relay (the host has no fault queue): no tag was ever issued. */
	st = d->relay ? relay__page_resp(d->relay, r) : VIRTIO_IOMMU_S_NOENT;
	if (pd) {
		if (st != VIRTIO_IOMMU_S_OK)
			pd->st.dropped++;
		else if (r->code < ARRAY_SIZE(pd->st.answered))
			pd->st.answered[r->code]++;
	}
	return st;
}

/* emul: the host model always answers the detached requests itself. */
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

static u64 viommu_dev__auto_total(const struct prq_stats *st)
{
	u64 n = 0;

	for (int i = 0; i < PRQ_AUTO__COUNT; i++)
		n += st->answered_by_vsva[i];
	return n;
}

/*
 * iommufd: the backend says what the kernel did.  HOST_ANSWERED (it
 * answered every outstanding group of the attachment, of all PASIDs when
 * tables sit on the RID): drop the tags.  VSVA_ANSWERS (the detach failed,
 * the groups are live): vsva answers them.
 */
static void viommu_dev__prq_hook_iommufd(void *opaque,
					 struct viommu_endpoint *ep,
					 u32 pasid, int phase, bool replace)
{
	struct viommu_dev *d = opaque;
	struct iommufd_be_drain dr;
	struct relay_stats *st;
	bool respond;
	u64 before = 0;

	if (!ep->dev_id || !d->relay)
		return;
	if (phase == VIOMMU_PRQ_BEFORE) {
		relay__quiesce(d->relay);
		return;
	}
	iommufd_be__drain(&d->be, ep->id, &dr);
	if (dr.kind == IOMMUFD_DRAIN_NONE)
		return;
	respond = dr.kind == IOMMUFD_DRAIN_VSVA_ANSWERS;
	if (!respond) {
		relay__drop(d->relay, ep->id, dr.pasid,
			    replace ? PRQ_AUTO_REPLACE : PRQ_AUTO_DETACH,
			    false);
		return;
	}
	/* Count what vsva wrote itself, for the host-side accounting. */
	st = malloc(sizeof(*st));
	if (st) {
		relay__stats(d->relay, st);
		before = viommu_dev__auto_total(&st->prq);
	}
	relay__drop(d->relay, ep->id, dr.pasid,
		    replace ? PRQ_AUTO_REPLACE : PRQ_AUTO_DETACH, true);
	if (st) {
		relay__stats(d->relay, st);
		d->vsva_answered_drops += viommu_dev__auto_total(&st->prq) -
					  before;
		free(st);
	}
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

/* The endpoint's entry, made on first use (NULL if the table is full). */
static struct viommu_prq_dev *viommu_dev__add_prq_dev(struct viommu_dev *d,
						      u32 ep, u32 dev_id)
{
	struct viommu_prq_dev *pd = viommu_dev__prq_dev(d, ep);

	if (!pd && d->nr_prq_devs < (int)ARRAY_SIZE(d->prq_devs)) {
		pd = &d->prq_devs[d->nr_prq_devs++];
		memset(pd, 0, sizeof(*pd));
		pd->ep = ep;
	}
	if (pd && dev_id && pd->dev_id != dev_id) {
		pd->dev_id = dev_id;
		if (d->relay)
			relay__map_device(d->relay, dev_id, ep);
	}
	return pd;
}

void virtio_iommu__register_prq(struct viommu_endpoint *ep, u32 dev_id,
				void (*pri_failure)(void *dev), void *dev)
{
	struct viommu_dev *d = viommu_dev__of(ep);
	struct viommu_prq_dev *pd;

	ep->dev_id = dev_id;
	pd = viommu_dev__add_prq_dev(d, ep->id, dev_id);
	if (pd) {
		pd->pri_failure = pri_failure;
		pd->dev = dev;
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
	struct viommu_dev *d = viommu_dev__of(ep);

	if (d->relay)
		relay__call(d->relay, viommu_dev__reset_ep, ep);
}

struct viommu_ep_snap {
	struct viommu_dev *d;
	u32 ep;
	struct virtio_iommu_ep_stats *out;
};

/* On the relay thread (or inline before it runs, or after it stopped). */
static void viommu_dev__ep_snap(struct relay *r, void *arg)
{
	struct viommu_ep_snap *s = arg;
	struct viommu_prq_dev *pd = viommu_dev__prq_dev(s->d, s->ep);
	struct virtio_iommu_ep_stats *o = s->out;
	struct relay_stats *st;

	memset(o, 0, sizeof(*o));
	if (pd)
		*o = pd->st;
	if (!r)
		return;
	st = malloc(sizeof(*st));
	if (!st)
		return;
	relay__stats(r, st);
	o->host_groups = st->groups_in;
	o->host_refused = st->refused_by_host;
	o->auto_answered = viommu_dev__auto_total(&st->prq);
	o->write_errors = st->write_errors;
	free(st);
}

void virtio_iommu__ep_stats(struct viommu_endpoint *ep,
			    struct virtio_iommu_ep_stats *out)
{
	struct viommu_dev *d = viommu_dev__of(ep);
	struct viommu_ep_snap s = { d, ep->id, out };

	if (d->relay)
		relay__call(d->relay, viommu_dev__ep_snap, &s);
	else
		viommu_dev__ep_snap(NULL, &s);
}

struct iommufd *virtio_iommu__iommufd(struct viommu_endpoint *ep)
{
	struct viommu_dev *d = viommu_dev__of(ep);

	return d->backend == VM_IOMMU_IOMMUFD ? &d->ifd : NULL;
}

/* iommufd: what the host fault queue saw (after the relay stopped, so
 * every write has landed). */
static void viommu_dev__host_summary(struct viommu_dev *d,
				     const struct relay_stats *rs)
{
	u64 by_vsva = d->vsva_answered_drops;

	/* Every reason but detach/replace answers the host; those do only
	 * when the backend said the host had not (counted in the hook). */
	for (int i = 0; i < PRQ_AUTO__COUNT; i++)
		if (i != PRQ_AUTO_DETACH && i != PRQ_AUTO_REPLACE)
			by_vsva += rs->prq.answered_by_vsva[i];
	pr_info("virtio-iommu: host fault queue: %llu groups read; answers written: %llu from the guest, %llu by vsva; the kernel accepted %llu, refused %llu; %llu write errors",
		(unsigned long long)rs->groups_in,
		(unsigned long long)rs->prq.answered_by_guest,
		(unsigned long long)by_vsva,
		(unsigned long long)(rs->write_errors ? 0 :
				     rs->prq.answered_by_guest + by_vsva -
				     rs->refused_by_host),
		(unsigned long long)rs->refused_by_host,
		(unsigned long long)rs->write_errors);
	pr_info("virtio-iommu: groups answered by vsva: detach %llu, replace %llu, device reset %llu, guest reset %llu, VM exit %llu, queue full %llu, no queue %llu, timeout %llu, unknown device %llu",
		(unsigned long long)rs->prq.answered_by_vsva[PRQ_AUTO_DETACH],
		(unsigned long long)rs->prq.answered_by_vsva[PRQ_AUTO_REPLACE],
		(unsigned long long)rs->prq.answered_by_vsva[PRQ_AUTO_DEVICE_RESET],
		(unsigned long long)rs->prq.answered_by_vsva[PRQ_AUTO_GUEST_RESET],
		(unsigned long long)rs->prq.answered_by_vsva[PRQ_AUTO_VM_EXIT],
		(unsigned long long)rs->prq.answered_by_vsva[PRQ_AUTO_QUEUE_FULL],
		(unsigned long long)rs->prq.answered_by_vsva[PRQ_AUTO_NO_QUEUE],
		(unsigned long long)rs->prq.answered_by_vsva[PRQ_AUTO_TIMEOUT],
		(unsigned long long)rs->prq.answered_by_vsva[PRQ_AUTO_UNKNOWN_DEVICE]);
}

static void viommu_dev__ep_summary(struct viommu_dev *d)
{
	for (int i = 0; i < d->nr_prq_devs; i++) {
		const struct viommu_prq_dev *pd = &d->prq_devs[i];

		pr_info("virtio-iommu: endpoint 0x%x (host device %u): %llu page requests in %llu groups to the guest; guest answers forwarded: %llu success, %llu invalid, %llu failure; %llu dropped",
			pd->ep, pd->dev_id,
			(unsigned long long)pd->st.records,
			(unsigned long long)pd->st.groups,
			(unsigned long long)pd->st.answered[VSVA_PAGE_RESP_SUCCESS],
			(unsigned long long)pd->st.answered[VSVA_PAGE_RESP_INVALID],
			(unsigned long long)pd->st.answered[VSVA_PAGE_RESP_FAILURE],
			(unsigned long long)pd->st.dropped);
	}
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

/* Does the vIOMMU take @pdev (all DMA-capable devices but itself and
 * those the user kept out)? */
static bool viommu_dev__behind(const struct pci_device *pdev,
			       const struct pci_device *self)
{
	return pdev != self && pdev->dma && !pdev->no_iommu;
}

/* iommufd: the host side of a host device, before its endpoint exists. */
static int viommu_dev__add_host(struct viommu_dev *d, struct pci_device *pdev,
				u32 id)
{
	int ret;

	switch (pdev->host.kind) {
	case PCI_HOST_MOCK:
		ret = iommufd_be__add_mock(&d->be, id);
		break;
	case PCI_HOST_VFIO:
		ret = iommufd_be__add_vfio(&d->be, id, pdev->host.fd);
		break;
	default:
		return 0;
	}
	if (ret)
		pr_err("virtio-iommu: %s (endpoint 0x%x): the host refused the device: %s",
		       pdev->name ? pdev->name : "?", id, strerror(-ret));
	return ret;
}

/* Put every other DMA-capable PCI device behind the vIOMMU, except those
 * the user kept out (pdev->no_iommu). */
static int viommu_dev__add_endpoints(struct vm *vm, struct viommu_dev *d,
				     struct pci_device *self)
{
	struct pci_device *pdev = NULL;
	int ret;

	while ((pdev = pci__next(vm, pdev))) {
		struct viommu_endpoint *ep;
		u32 id = pci__devfn(pdev);

		if (!viommu_dev__behind(pdev, self))
			continue;
		if (d->backend == VM_IOMMU_IOMMUFD) {
			ret = viommu_dev__add_host(d, pdev, id);
			if (ret)
				return ret;
		}
		ep = viommu__add_endpoint(&d->core, id, pdev->iommu_caps, pdev);
		if (!ep)
			return -ENOSPC;
		/* The device's own timeout policy (no relay: the host raises
		 * no page requests, nothing to time out). */
		if (pdev->prq_timeout_ms && d->relay) {
			ret = relay__set_timeout(d->relay, ep->id,
						 pdev->prq_timeout_ms *
						 1000000ULL);
			if (ret)
				return ret;
		}
		/* A host device's requests arrive with its host device ID. */
		if (ep->dev_id && !viommu_dev__add_prq_dev(d, ep->id,
							   ep->dev_id))
			return -ENOSPC;
		pdev->dma->translate = viommu_dev__translate;
		pdev->dma->opaque = ep;
		pdev->dma->gen = &d->core.gen;
		if (pdev->ops && pdev->ops->iommu_attached)
			pdev->ops->iommu_attached(pdev, ep);
	}
	return 0;
}

/*
 * The backend: --iommu-backend, or by default iommufd when a host device
 * (VFIO function, mock SVA device) sits behind the vIOMMU, else emul.
 */
static int viommu_dev__pick_backend(struct vm *vm, struct viommu_dev *d,
				    int *nr_mock)
{
	enum vm_iommu_backend b = vm->cfg->iommu_backend;
	struct pci_device *pdev = NULL;
	int nr_vfio = 0;

	*nr_mock = 0;
	while ((pdev = pci__next(vm, pdev))) {
		if (!viommu_dev__behind(pdev, NULL))
			continue;
		*nr_mock += pdev->host.kind == PCI_HOST_MOCK;
		nr_vfio += pdev->host.kind == PCI_HOST_VFIO;
	}
	if (b == VM_IOMMU_AUTO)
		b = *nr_mock || nr_vfio ? VM_IOMMU_IOMMUFD : VM_IOMMU_EMUL;
	if (b == VM_IOMMU_EMUL && (*nr_mock || nr_vfio)) {
		pr_err("virtio-iommu: %s needs --iommu-backend iommufd: the emul backend models the host IOMMU in vsva and has no host devices",
		       nr_vfio ? "--vfio" : "--mock-sva-dev");
		return -EINVAL;
	}
	if (b == VM_IOMMU_IOMMUFD && vm->sva) {
		pr_err("virtio-iommu: --sva-dev needs --iommu-backend emul: its DMA and page requests go through vsva's host IOMMU model");
		return -EINVAL;
	}
	if (*nr_mock && nr_vfio) {
		pr_err("virtio-iommu: --mock-sva-dev and --vfio cannot share a vIOMMU: the mock IOMMU reaches only guest RAM in [16 MiB, 2 GiB), a VFIO device needs all of it");
		return -EINVAL;
	}
	d->backend = b;
	return 0;
}

/* The part of @in inside [@start, @last]. */
static void viommu_dev__clip_mem(const struct guest_mem *in, u64 start,
				 u64 last, struct guest_mem *out)
{
	memset(out, 0, sizeof(*out));
	for (int i = 0; i < in->nr_regions; i++) {
		const struct guest_mem_region *r = &in->regions[i];
		u64 lo = MAX(r->gpa, start);
		u64 hi = MIN(r->gpa + r->size - 1, last);

		if (!r->size || lo > hi)
			continue;
		out->regions[out->nr_regions++] = (struct guest_mem_region){
			.gpa = lo, .size = hi - lo + 1,
			.hva = r->hva + (lo - r->gpa),
		};
		out->ram_size += hi - lo + 1;
	}
}

static int viommu_dev__init_emul(struct vm *vm, struct viommu_dev *d)
{
	int ret;

	emul_iommu__init(&d->emul, &vm->mem);
	viommu__init(&d->core, &vm->mem, &emul_iommu_ops, &d->emul);
	d->core.prq_hook = viommu_dev__prq_hook;

	ret = emul_fq__create(&d->emul.fq);
	if (ret)
		return ret;
	{
		struct relay_config rc = {
			.fd = emul_fq__fd(d->emul.fq),
			.mode = vm->cfg->relay_poll ? RELAY_POLL : RELAY_URING,
			.guest = &viommu_relay_ops, .g = d,
			.host = &viommu_emul_host_ops, .h = d->emul.fq,
			.timeout_ns = vm->cfg->prq_timeout_ms * 1000000ULL,
		};

		ret = relay__create(&d->relay, &rc);
	}
	return ret;
}

/*
 * The iommufd recipe (include/vsva/backend-iommufd.h): /dev/iommu, the
 * backend (stage 2, fault queue), the core on it, a relay on the kernel's
 * fault FD.  Mock devices: the selftest IOMMU reaches only IOVAs in
 * [16 MiB, 2 GiB) and refuses to join an IOAS with anything mapped
 * outside (IOVA 0 mapped: EADDRINUSE), so stage 2 maps only the guest RAM
 * inside that window.  A mock device does no DMA; what stage 2 lacks
 * matters only to MAP requests naming RAM outside it (refused: NOMEM).
 */
static int viommu_dev__init_iommufd(struct vm *vm, struct viommu_dev *d,
				    int nr_mock)
{
	int ret, fd;

	ret = iommufd__open(&d->ifd, NULL);
	if (ret) {
		pr_err("virtio-iommu: --iommu-backend iommufd: cannot open /dev/iommu: %s%s",
		       strerror(-ret), ret == -ENOENT ?
		       " (the host kernel has no IOMMUFD: CONFIG_IOMMUFD)" :
		       "");
		return ret;
	}
	d->ifd_open = true;
	if (nr_mock) {
		viommu_dev__clip_mem(&vm->mem, IOFD_MOCK_APERTURE_START,
				     IOFD_MOCK_APERTURE_LAST, &d->be_mem);
		if (d->be_mem.ram_size != vm->mem.ram_size)
			pr_info("virtio-iommu: mock devices: stage 2 maps the %llu MiB of guest RAM inside the mock IOMMU's aperture 0x%llx-0x%llx, not the other %llu MiB",
				(unsigned long long)(d->be_mem.ram_size >> 20),
				(unsigned long long)IOFD_MOCK_APERTURE_START,
				(unsigned long long)IOFD_MOCK_APERTURE_LAST,
				(unsigned long long)((vm->mem.ram_size -
						      d->be_mem.ram_size) >> 20));
	} else {
		d->be_mem = vm->mem;
	}
	ret = iommufd_be__init(&d->be, &d->ifd, &d->be_mem);
	if (ret)
		return ret;
	d->be_up = true;
	viommu__init(&d->core, &vm->mem, &iommufd_be_ops, &d->be);
	d->core.prq_hook = viommu_dev__prq_hook_iommufd;

	fd = iommufd_be__fault_fd(&d->be);
	if (fd < 0) {
		pr_warn("virtio-iommu: host devices raise no page requests: %s",
			d->be.fault_reason);
		return 0;
	}
	{
		struct relay_config rc = {
			.fd = fd,
			.mode = vm->cfg->relay_poll ? RELAY_POLL : RELAY_URING,
			.guest = &viommu_relay_ops, .g = d,
			.timeout_ns = vm->cfg->prq_timeout_ms * 1000000ULL,
		};

		ret = relay__create(&d->relay, &rc);
	}
	return ret;
}

/* Undo a failed set-up (before the device is on the bus). */
static void viommu_dev__undo(struct viommu_dev *d)
{
	relay__destroy(d->relay);
	if (d->backend == VM_IOMMU_IOMMUFD) {
		d->core.prq_hook = NULL;
		viommu__free(&d->core);
		if (d->be_up)
			iommufd_be__destroy(&d->be);
		if (d->ifd_open)
			iommufd__close(&d->ifd);
	} else {
		emul_fq__destroy(d->emul.fq);
	}
	free(d);
}

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
