// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupts of a passthrough function (include/vsva/vfio.h).
 *
 * MSI: one eventfd per vector is both the VFIO trigger and a KVM irqfd on
 * a GSI routed to the guest's message, so the device's interrupt reaches
 * the guest without vsva.  The capability offers no per-vector masking,
 * so there is nothing to hold back.  A message change while enabled
 * re-routes the GSIs; a change of the vector count re-enables the index.
 *
 * MSI-X: the guest's table, masks and pending bits are virtio/msix.c's;
 * the VFIO eventfds are watched by the event loop and fed to
 * msix__notify(), which delivers (through its own irqfds) or sets the
 * pending bit.  The index is enabled with every vector when the guest
 * enables MSI-X, and disabled when it disables it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <vsva/log.h>
#include <vsva/msix.h>
#include <vsva/vfio.h>

static void irq__count_err(struct vfio_pci *vp, int ret, const char *what)
{
	if (!ret)
		return;
	vp->stats.irq_errors++;
	pr_warn("%s: %s: %s", vp->name, what, strerror(ret < 0 ? -ret : ret));
}

static void irq__msi_off(struct vfio_pci *vp)
{
	if (!vp->msi_live)
		return;
	irq__count_err(vp, vfio_dev__set_irqs(&vp->vd, VFIO_IRQ_MSI, 0, 0,
					      NULL), "MSI off");
	vp->msi_live = 0;
}

/* Vector @v's eventfd, GSI route and irqfd for message @addr/@data. */
static int irq__msi_vec(struct vfio_pci *vp, u32 v, u64 addr, u32 data,
			bool reroute)
{
	struct vfio_msi_vec *mv = &vp->msi[v];
	int ret;

	if (mv->efd < 0) {
		mv->efd = vp->vd.sys->eventfd(vp->vd.sys->opaque);
		if (mv->efd < 0)
			return mv->efd;
	}
	if (mv->gsi < 0) {
		ret = vp->vmops->msi_route(vp->vm, -1, addr, data);
		if (ret < 0)
			return ret;
		mv->gsi = ret;
	} else if (reroute) {
		ret = vp->vmops->msi_route(vp->vm, mv->gsi, addr, data);
		if (ret < 0)
			return ret;
	}
	if (!mv->irqfd) {
		ret = vp->vmops->irqfd(vp->vm, mv->efd, (u32)mv->gsi, true);
		if (ret)
			return ret;
		mv->irqfd = true;
	}
	return 0;
}

void vfio_irq__msi_update(struct vfio_pci *vp)
{
	struct vfio_msi_state st;
	int fds[VFIO_MSI_MAX_VECTORS];
	bool msg_changed;
	int ret = 0;

	vfio_cfg__msi_state(&vp->pdev, &vp->lay, &st);
	if (!st.enabled) {
		irq__msi_off(vp);
		vp->msi_st = st;
		return;
	}
	if (vp->msi_live && vp->msi_live != st.nvec)
		irq__msi_off(vp);
	msg_changed = st.addr != vp->msi_st.addr ||
		      st.data != vp->msi_st.data || st.nvec != vp->msi_st.nvec;
	for (u32 v = 0; v < st.nvec && !ret; v++) {
		ret = irq__msi_vec(vp, v, st.addr, vfio_cfg__msi_data(&st, v),
				   msg_changed);
		fds[v] = vp->msi[v].efd;
	}
	vp->msi_st = st;
	if (ret) {
		irq__count_err(vp, ret, "MSI route");
		return;
	}
	if (vp->msi_live)
		return;
	ret = vfio_dev__set_irqs(&vp->vd, VFIO_IRQ_MSI, 0, st.nvec, fds);
	irq__count_err(vp, ret, "MSI on");
	if (!ret) {
		vp->msi_live = st.nvec;
		vp->stats.msi_programs++;
		pr_debug("%s: MSI on: %u vector(s), address 0x%llx data 0x%x",
			 vp->name, st.nvec, (unsigned long long)st.addr,
			 st.data);
	}
}

/* Event loop: vector @opaque fired on the host. */
static void irq__msix_fire(struct vm *vm, int fd, u32 revents, void *opaque)
{
	struct vfio_msix_vec *mv = opaque;
	struct vfio_pci *vp = mv->vp;
	u64 n;

	if (vp->vd.sys->read(vp->vd.sys->opaque, fd, &n, sizeof(n)) !=
	    sizeof(n))
		return;
	__atomic_fetch_add(&vp->stats.msix_relayed, 1, __ATOMIC_RELAXED);
	msix__notify(&vp->pdev, mv->v);
}

int vfio_irq__msix_setup(struct vfio_pci *vp)
{
	u16 nr = vp->lay.msix_nr;
	int ret;

	if (!vp->lay.msix)
		return 0;
	vp->msix = calloc(nr, sizeof(*vp->msix));
	if (!vp->msix)
		return -ENOMEM;
	for (u16 v = 0; v < nr; v++)
		vp->msix[v].efd = -1;
	for (u16 v = 0; v < nr; v++) {
		struct vfio_msix_vec *mv = &vp->msix[v];

		mv->vp = vp;
		mv->v = v;
		mv->efd = vp->vd.sys->eventfd(vp->vd.sys->opaque);
		if (mv->efd < 0)
			return mv->efd;
		ret = vp->vmops->watch(vp->vm, mv->efd, irq__msix_fire, mv);
		if (ret) {
			vp->vd.sys->close(vp->vd.sys->opaque, mv->efd);
			mv->efd = -1;
			return ret;
		}
	}
	return 0;
}

void vfio_irq__msix_update(struct vfio_pci *vp)
{
	struct msix *mx = vp->pdev.msix;
	int fds[MSIX_MAX_VECTORS];
	bool on;
	int ret;

	if (!mx || !vp->msix)
		return;
	pthread_mutex_lock(&mx->lock);
	on = mx->enabled;
	pthread_mutex_unlock(&mx->lock);
	if (on == vp->msix_live)
		return;
	if (!on) {
		ret = vfio_dev__set_irqs(&vp->vd, VFIO_IRQ_MSIX, 0, 0, NULL);
		irq__count_err(vp, ret, "MSI-X off");
		vp->msix_live = false;
		return;
	}
	for (u16 v = 0; v < vp->lay.msix_nr; v++)
		fds[v] = vp->msix[v].efd;
	ret = vfio_dev__set_irqs(&vp->vd, VFIO_IRQ_MSIX, 0, vp->lay.msix_nr,
				 fds);
	irq__count_err(vp, ret, "MSI-X on");
	if (!ret) {
		vp->msix_live = true;
		vp->stats.msix_programs++;
	}
}

void vfio_irq__off(struct vfio_pci *vp)
{
	irq__msi_off(vp);
	memset(&vp->msi_st, 0, sizeof(vp->msi_st));
	if (vp->msix_live) {
		irq__count_err(vp, vfio_dev__set_irqs(&vp->vd, VFIO_IRQ_MSIX,
						      0, 0, NULL),
			       "MSI-X off");
		vp->msix_live = false;
	}
}

void vfio_irq__free(struct vfio_pci *vp)
{
	const struct vfio_sys *sys = vp->vd.sys;

	vfio_irq__off(vp);
	for (u32 v = 0; v < VFIO_MSI_MAX_VECTORS; v++) {
		struct vfio_msi_vec *mv = &vp->msi[v];

		if (mv->irqfd)
			vp->vmops->irqfd(vp->vm, mv->efd, (u32)mv->gsi, false);
		if (mv->efd >= 0)
			sys->close(sys->opaque, mv->efd);
		mv->efd = -1;
		mv->irqfd = false;
	}
	if (vp->msix) {
		for (u16 v = 0; v < vp->lay.msix_nr; v++) {
			if (vp->msix[v].efd < 0)
				continue;
			vp->vmops->unwatch(vp->vm, vp->msix[v].efd);
			sys->close(sys->opaque, vp->msix[v].efd);
		}
		free(vp->msix);
		vp->msix = NULL;
	}
}
