/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VSVA_VIRTIO_IOMMU_H
#define VSVA_VIRTIO_IOMMU_H

#include <vsva/viommu.h>
#include <vsva/virtio.h>

struct vm;
struct pci_device;
struct iommufd;

/* The virtio-iommu on the vm's PCI bus; every DMA-capable PCI device
 * registered before it goes behind it. */
int virtio_iommu__init(struct vm *vm);
/* Stop the relay (answering what is outstanding) before devices go. */
void virtio_iommu__exit(struct vm *vm);
struct viommu *virtio_iommu__core(struct virtio_device *vdev);
struct relay *virtio_iommu__relay(struct vm *vm);
/* The virtio-iommu's own PCI function (for the VIOT), or NULL if none. */
struct pci_device *virtio_iommu__pdev(struct vm *vm);
struct emul_fq *virtio_iommu__vm_fault_queue(struct vm *vm);

/* For devices behind it: PASID-tagged DMA, page requests. */
int virtio_iommu__translate(struct viommu_endpoint *ep,
			    const struct viommu_access *a,
			    struct viommu_xlate *x);
struct emul_fq *virtio_iommu__fault_queue(struct viommu_endpoint *ep);
void virtio_iommu__register_prq(struct viommu_endpoint *ep, u32 dev_id,
				void (*pri_failure)(void *dev), void *dev);
/* Device reset: vsva answers the endpoint's outstanding page requests. */
void virtio_iommu__ep_reset(struct viommu_endpoint *ep);

/* What went through the page-request path for one endpoint, and for the
 * whole vIOMMU (its host fault queue). */
struct virtio_iommu_ep_stats {
	u64 records, groups;	/* put in the guest's page-request queue */
	u64 answered[3];	/* guest PAGE_RESPs forwarded, by code */
	u64 dropped;		/* guest PAGE_RESPs naming it, refused */
	/* vIOMMU-wide */
	u64 host_groups;	/* groups read from the host fault FD */
	u64 host_refused;	/* answers the host refused (short writes) */
	u64 auto_answered;	/* groups vsva answered itself, all reasons */
	u64 write_errors;
};

/* A consistent snapshot, taken on the relay thread (blocks briefly). */
void virtio_iommu__ep_stats(struct viommu_endpoint *ep,
			    struct virtio_iommu_ep_stats *out);
/* The iommufd the vIOMMU's host devices live in; NULL with the emul
 * backend.  Its ioctl layer is safe from any thread. */
struct iommufd *virtio_iommu__iommufd(struct viommu_endpoint *ep);

#endif
