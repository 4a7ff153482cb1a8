/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VSVA_VIRTIO_IOMMU_H
#define VSVA_VIRTIO_IOMMU_H

#include <vsva/viommu.h>
#include <vsva/virtio.h>

struct vm;
struct pci_device;

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

#endif
