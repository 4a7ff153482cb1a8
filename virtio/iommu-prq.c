// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-iommu: the page-request queue (virtqueue 2) and the glue to the
 * relay (include/vsva/relay.h).  The relay reads the host fault FD and
 * fills the queue through relay_guest_ops; the core's hooks send the
 * guest's PAGE_RESPs back (page_resp) and settle the outstanding requests
 * of a detached or replaced table (prq_hook); devices behind the vIOMMU
 * register their page-request identity, reset, and read per-endpoint
 * counters.  Runs on the relay thread (inline when there is no relay).
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

#include "iommu-priv.h"

static struct viommu_prq_dev *viommu_dev__prq_dev(struct viommu_dev *d, u32 ep)
{
	for (int i = 0; i < d->nr_prq_devs; i++)
		if (d->prq_devs[i].ep == ep)
			return &d->prq_devs[i];
	return NULL;
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

const struct relay_guest_ops viommu_relay_ops = {
	.room = viommu_dev__prq_room,
	.push = viommu_dev__prq_push,
	.kick = viommu_dev__prq_kick,
	.requests = viommu_dev__relay_requests,
	.pri_failure = viommu_dev__prq_failure,
};

/* Core hooks (relay thread: the requestq is processed there). */
u8 viommu_dev__page_resp(void *opaque,
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
void viommu_dev__prq_hook(void *opaque, struct viommu_endpoint *ep,
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
void viommu_dev__prq_hook_iommufd(void *opaque,
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

/* --- what devices behind the vIOMMU use: page requests --- */

/* The endpoint's entry, made on first use (NULL if the table is full). */
struct viommu_prq_dev *viommu_dev__add_prq_dev(struct viommu_dev *d,
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

/* --- release: what went through --- */

/* iommufd: what the host fault queue saw (after the relay stopped, so
 * every write has landed). */
void viommu_dev__host_summary(struct viommu_dev *d,
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

void viommu_dev__ep_summary(struct viommu_dev *d)
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
