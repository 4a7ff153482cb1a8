// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-iommu: its endpoints.  At set-up every DMA-capable PCI device
 * but the vIOMMU itself and those the user kept out becomes an endpoint
 * of the core (its host side registered first with iommufd), and its
 * dma_space gets the translation hook.  Afterwards devices call in here
 * for PASID-tagged DMA and for their backend's objects.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include <vsva/backend-iommufd.h>
#include <vsva/log.h>
#include <vsva/pci.h>
#include <vsva/relay.h>
#include <vsva/viommu.h>
#include <vsva/virtio-iommu.h>
#include <vsva/vm.h>

#include "iommu-priv.h"

/* --- set-up: putting devices behind the vIOMMU --- */

/* Does the vIOMMU take @pdev (all DMA-capable devices but itself and
 * those the user kept out)? */
bool viommu_dev__behind(const struct pci_device *pdev,
			const struct pci_device *self)
{
	return pdev != self && pdev->dma && !pdev->no_iommu;
}

/* The translation hook of an endpoint's dma_space (untagged DMA). */
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
int viommu_dev__add_endpoints(struct vm *vm, struct viommu_dev *d,
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

/* --- what devices behind the vIOMMU use --- */

struct viommu_dev *viommu_dev__of(struct viommu_endpoint *ep)
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

struct iommufd *virtio_iommu__iommufd(struct viommu_endpoint *ep)
{
	struct viommu_dev *d = viommu_dev__of(ep);

	return d->backend == VM_IOMMU_IOMMUFD ? &d->ifd : NULL;
}
