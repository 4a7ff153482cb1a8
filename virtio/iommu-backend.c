// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-iommu: the host backend (--iommu-backend).  Which one, emul or
 * iommufd (host devices need iommufd, --sva-dev needs emul); setting it
 * up with the vIOMMU core on top and a relay on its fault FD; undoing a
 * set-up that failed before the device went on the bus.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <vsva/backend-iommufd.h>
#include <vsva/emul-fq.h>
#include <vsva/log.h>
#include <vsva/pci.h>
#include <vsva/relay.h>
#include <vsva/viommu.h>
#include <vsva/vm.h>

#include "iommu-priv.h"

/*
 * The backend: --iommu-backend, or by default iommufd when a host device
 * (VFIO function, mock SVA device) sits behind the vIOMMU, else emul.
 */
int viommu_dev__pick_backend(struct vm *vm, struct viommu_dev *d,
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

int viommu_dev__init_emul(struct vm *vm, struct viommu_dev *d)
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
			.host = &emul_fq__relay_host_ops, .h = d->emul.fq,
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
int viommu_dev__init_iommufd(struct vm *vm, struct viommu_dev *d,
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
void viommu_dev__undo(struct viommu_dev *d)
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
