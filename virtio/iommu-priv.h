/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the virtio-iommu device (virtio/iommu*.c), shared between its
 * files.  Other subsystems use <vsva/virtio-iommu.h> only.
 *
 *   iommu.c          the virtio device: requestq, eventq, config, reset,
 *                    set-up and release
 *   iommu-prq.c      the page-request queue and the relay glue
 *   iommu-backend.c  the host backend: which one, set-up (emul, iommufd)
 *   iommu-ep.c       endpoints: who goes behind the vIOMMU, their DMA
 *
 * Locking: see virtio/iommu.c.
 */
#ifndef VSVA_VIRTIO_IOMMU_PRIV_H
#define VSVA_VIRTIO_IOMMU_PRIV_H

#include <pthread.h>

#include <vsva/backend-iommufd.h>
#include <vsva/relay.h>
#include <vsva/viommu.h>
#include <vsva/virtio-iommu.h>
#include <vsva/virtqueue.h>
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

/* ---- The device (iommu.c) ---- */

/* After d->lock is dropped: interrupt the driver if events went out. */
void viommu_dev__signal(struct viommu_dev *d, bool signal);
/* relay_guest_ops.requests: process the requestq (relay thread). */
void viommu_dev__relay_requests(void *g);

/* ---- Page-request queue and relay glue (iommu-prq.c) ---- */

/* The relay's two sides: the page-request queue; the emul fault queue. */
extern const struct relay_guest_ops viommu_relay_ops;
/* Core hooks: a guest PAGE_RESP; around a PASID detach or table
 * replacement, emul or iommufd (viommu.page_resp, viommu.prq_hook). */
u8 viommu_dev__page_resp(void *opaque,
			 const struct virtio_iommu_req_page_resp *r);
void viommu_dev__prq_hook(void *opaque, struct viommu_endpoint *ep,
			  u32 pasid, int phase, bool replace);
void viommu_dev__prq_hook_iommufd(void *opaque,
				  struct viommu_endpoint *ep,
				  u32 pasid, int phase, bool replace);
/* The endpoint's entry, made on first use (NULL if the table is full). */
struct viommu_prq_dev *viommu_dev__add_prq_dev(struct viommu_dev *d,
					       u32 ep, u32 dev_id);
/* Release (iommufd): the host fault queue's and the endpoints' counters. */
void viommu_dev__host_summary(struct viommu_dev *d,
			      const struct relay_stats *rs);
void viommu_dev__ep_summary(struct viommu_dev *d);

/* ---- Host backend set-up (iommu-backend.c) ---- */

/* --iommu-backend, or the default for the devices behind it. */
int viommu_dev__pick_backend(struct vm *vm, struct viommu_dev *d,
			     int *nr_mock);
/* The backend, the core on it, the relay on its fault FD. */
int viommu_dev__init_emul(struct vm *vm, struct viommu_dev *d);
int viommu_dev__init_iommufd(struct vm *vm, struct viommu_dev *d,
			     int nr_mock);
/* Undo a failed set-up (before the device is on the bus); frees @d. */
void viommu_dev__undo(struct viommu_dev *d);

/* ---- Endpoints (iommu-ep.c) ---- */

/* Does the vIOMMU take @pdev? */
bool viommu_dev__behind(const struct pci_device *pdev,
			const struct pci_device *self);
/* Every device it takes becomes an endpoint (set-up). */
int viommu_dev__add_endpoints(struct vm *vm, struct viommu_dev *d,
			      struct pci_device *self);
/* The device an endpoint belongs to. */
struct viommu_dev *viommu_dev__of(struct viommu_endpoint *ep);

#endif
