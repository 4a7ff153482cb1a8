// SPDX-License-Identifier: GPL-2.0
/*
 * MSI-X delivery on KVM: each vector that ever becomes deliverable gets a
 * GSI routed to its message and an eventfd bound to that GSI with an
 * irqfd, so raising a vector is one eventfd write from whatever thread the
 * device runs on.  If KVM refuses a route or an irqfd, the vector falls
 * back to KVM_SIGNAL_MSI.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include <vsva/log.h>
#include <vsva/msix.h>
#include <vsva/pci.h>
#include <vsva/vm.h>

struct msix_kvm_vec {
	int gsi;	/* -1: no route yet */
	int efd;	/* -1: no irqfd, use KVM_SIGNAL_MSI */
};

struct msix_kvm {
	struct vm *vm;
	struct msix_kvm_vec *vec;
};

static int msix_kvm__install(struct msix *mx, u16 v, u64 addr, u32 data)
{
	struct msix_kvm *k = mx->irq_priv;
	struct msix_kvm_vec *kv = &k->vec[v];
	int ret;

	if (kv->gsi >= 0)
		return irq__update_msi_route(k->vm, kv->gsi, addr, data);

	ret = irq__add_msi_route(k->vm, addr, data);
	if (ret < 0) {
		pr_warn("%s: MSI-X vector %u: no GSI route (%d)",
			mx->pdev->name, v, ret);
		return ret;
	}
	kv->gsi = ret;
	kv->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (kv->efd < 0)
		return -errno;
	ret = irq__irqfd(k->vm, kv->efd, kv->gsi, true);
	if (ret) {
		pr_warn("%s: MSI-X vector %u: irqfd failed (%d)",
			mx->pdev->name, v, ret);
		close(kv->efd);
		kv->efd = -1;
	}
	return ret;
}

static int msix_kvm__raise(struct msix *mx, u16 v, u64 addr, u32 data)
{
	struct msix_kvm *k = mx->irq_priv;
	struct msix_kvm_vec *kv = &k->vec[v];
	u64 one = 1;

	if (kv->efd >= 0) {
		if (write(kv->efd, &one, sizeof(one)) == sizeof(one))
			return 0;
		/* EAGAIN: the counter is saturated, an interrupt is due. */
		return errno == EAGAIN ? 0 : -errno;
	}
	return irq__signal_msi(k->vm, addr, data);
}

static void msix_kvm__release(struct msix *mx)
{
	struct msix_kvm *k = mx->irq_priv;

	for (u16 v = 0; v < mx->nr; v++) {
		struct msix_kvm_vec *kv = &k->vec[v];

		if (kv->efd < 0)
			continue;
		irq__irqfd(k->vm, kv->efd, kv->gsi, false);
		close(kv->efd);
	}
	free(k->vec);
	free(k);
	mx->irq_priv = NULL;
	mx->irq_ops = NULL;
}

static const struct msix_irq_ops msix_kvm_ops = {
	.install = msix_kvm__install,
	.raise = msix_kvm__raise,
	.release = msix_kvm__release,
};

int msix_kvm__attach(struct pci_device *pdev)
{
	struct msix *mx = pdev->msix;
	struct msix_kvm *k;

	if (!mx)
		return 0;
	k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	k->vec = calloc(mx->nr, sizeof(*k->vec));
	if (!k->vec) {
		free(k);
		return -ENOMEM;
	}
	for (u16 v = 0; v < mx->nr; v++) {
		k->vec[v].gsi = -1;
		k->vec[v].efd = -1;
	}
	k->vm = pdev->vm;
	msix__set_irq_ops(mx, &msix_kvm_ops, k);
	return 0;
}
