/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VSVA_VIRTIO_IOMMU_H
#define VSVA_VIRTIO_IOMMU_H

#include <vsva/viommu.h>
#include <vsva/virtio.h>

struct vm;

/* The virtio-iommu on the vm's PCI bus; every DMA-capable PCI device
 * registered before it goes behind it. */
int virtio_iommu__init(struct vm *vm);
struct viommu *virtio_iommu__core(struct virtio_device *vdev);

#endif
