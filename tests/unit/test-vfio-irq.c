// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupts of a passthrough function over the fake vfio-pci device
 * (test-vfio-fake.c): the guest programs its emulated MSI or MSI-X
 * capability and vsva must program VFIO (SET_IRQS with eventfds) and KVM
 * (GSI routes, irqfds) to match -- single and multiple MSI vectors, a
 * message change while enabled, disable and re-enable, MSI-X through
 * msix.c's masks and pending bits, and the errors.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <errno.h>
#include <string.h>
#include <linux/vfio.h>

#include <vsva/msix.h>

#include "test-vfio-fake.h"

static struct fake_vfio f;
static struct vfio_pci vp;

static void setup(void)
{
	fv__init(&f);
	cr_redirect_stderr();
}

static void teardown(void)
{
	fv__free(&f);
}

TestSuite(vfio_irq, .init = setup, .fini = teardown);

static void wr(u16 off, u32 val, u32 len)
{
	pci_cfg__write(&vp.pdev, off, val, len);
}

static void down(void)
{
	vfio_pci__teardown(&vp);
	cr_assert_eq(f.open_fds, 0, "%d eventfds left", f.open_fds);
}

/* The guest's MSI message: 64-bit capability. */
static void msi_msg(u16 m, u64 addr, u16 data)
{
	wr(m + 4, (u32)addr, 4);
	wr(m + 8, (u32)(addr >> 32), 4);
	wr(m + 12, data, 2);
}

Test(vfio_irq, msi_one_vector)
{
	const struct fv_call *c;
	u16 m;

	fv__edu(&f);
	cr_assert_eq(fv__setup(&f, &vp), 0);
	m = vp.lay.msi;
	msi_msg(m, 0xfee00000, 0x41);
	cr_assert_eq(fv__count(&f, FV_SET_IRQS), 0, "MSI on before enable");
	cr_assert_eq(fv__count(&f, FV_ROUTE), 0);

	wr(m + 2, 0x0001, 2);
	c = fv__find(&f, FV_ROUTE, 0);
	cr_assert_not_null(c);
	cr_assert_eq(c->gsi, -1, "a new route");
	cr_assert_eq(c->gpa, 0xfee00000);
	cr_assert_eq(c->data, 0x41);
	c = fv__find(&f, FV_IRQFD, 0);
	cr_assert_eq(c->fd, 100);
	cr_assert_eq(c->gsi, 24);
	cr_assert(c->assign);
	c = fv__find(&f, FV_SET_IRQS, 0);
	cr_assert_eq(c->index, VFIO_IRQ_MSI);
	cr_assert_eq(c->start, 0);
	cr_assert_eq(c->count, 1);
	cr_assert_eq(c->flags, VFIO_IRQ_SET_DATA_EVENTFD |
			       VFIO_IRQ_SET_ACTION_TRIGGER);
	cr_assert_eq(c->fds[0], 100, "VFIO and KVM got different eventfds");
	cr_assert_eq(f.msi_live, 1);
	cr_assert_eq(vp.stats.msi_programs, 1);

	/* The guest moves the interrupt: the route follows, VFIO stays. */
	wr(m + 12, 0x42, 2);
	c = fv__find(&f, FV_ROUTE, 1);
	cr_assert_not_null(c);
	cr_assert_eq(c->gsi, 24);
	cr_assert_eq(c->data, 0x42);
	cr_assert_eq(fv__count(&f, FV_SET_IRQS), 1);
	wr(m + 12, 0x42, 2);
	cr_assert_eq(fv__count(&f, FV_ROUTE), 2, "re-routed without a change");

	/* Off, then on again: same eventfd, GSI and route. */
	wr(m + 2, 0, 2);
	c = fv__find(&f, FV_SET_IRQS, 1);
	cr_assert_eq(c->count, 0);
	cr_assert_eq(c->flags, VFIO_IRQ_SET_DATA_NONE |
			       VFIO_IRQ_SET_ACTION_TRIGGER);
	cr_assert_eq(f.msi_live, 0);
	wr(m + 2, 1, 2);
	cr_assert_eq(fv__count(&f, FV_SET_IRQS), 3);
	cr_assert_eq(fv__count(&f, FV_EVENTFD), 1);
	cr_assert_eq(fv__count(&f, FV_ROUTE), 2);
	cr_assert_eq(fv__count(&f, FV_IRQFD), 1);
	cr_assert_eq(f.msi_live, 1);

	f.nr = 0;
	down();
	c = fv__find(&f, FV_SET_IRQS, 0);
	cr_assert_not_null(c, "MSI left on at teardown");
	cr_assert_eq(c->count, 0);
	c = fv__find(&f, FV_IRQFD, 0);
	cr_assert_not_null(c);
	cr_assert(!c->assign);
	cr_assert_eq(c->fd, 100);
}

/* Multiple message: MME vectors, each its own message data. */
Test(vfio_irq, msi_multiple_vectors)
{
	const struct fv_call *c;
	u16 m;

	fv__edu(&f);
	f.cfg[0x42] = 0x80 | 3 << 1;		/* MMC: 8 */
	f.irq_count[VFIO_IRQ_MSI] = 8;
	cr_assert_eq(fv__setup(&f, &vp), 0);
	m = vp.lay.msi;
	cr_assert_eq(pci_cfg__read(&vp.pdev, m + 2, 2), 0x0080 | 3 << 1);
	msi_msg(m, 0xfee01000, 0x45);
	wr(m + 2, 2 << 4 | 1, 2);		/* 4 vectors, enabled */
	cr_assert_eq(fv__count(&f, FV_ROUTE), 4);
	for (int v = 0; v < 4; v++) {
		c = fv__find(&f, FV_ROUTE, v);
		cr_assert_eq(c->data, 0x44u | (u32)v, "vector %d data %#x", v,
			     c->data);
		cr_assert_eq(c->gpa, 0xfee01000);
	}
	c = fv__find(&f, FV_SET_IRQS, 0);
	cr_assert_eq(c->count, 4);
	for (int v = 0; v < 4; v++)
		cr_assert_eq(c->fds[v], 100 + v);

	/* More than MMC asked: clamped to 8; the index is set anew. */
	wr(m + 2, 7 << 4 | 1, 2);
	c = fv__find(&f, FV_SET_IRQS, 1);
	cr_assert_eq(c->count, 0, "not disabled before the resize");
	c = fv__find(&f, FV_SET_IRQS, 2);
	cr_assert_eq(c->count, 8);
	cr_assert_eq(f.msi_live, 8);
	c = fv__find(&f, FV_ROUTE, 4);
	cr_assert_eq(c->gsi, 24, "the old vectors are re-routed");
	cr_assert_eq(c->data, 0x40, "vector 0 of 8: data %#x", c->data);
	c = fv__find(&f, FV_ROUTE, 11);
	cr_assert_eq(c->gsi, -1);
	cr_assert_eq(c->data, 0x47);
	down();
}

/* VFIO has fewer vectors than the capability: the guest sees VFIO's. */
Test(vfio_irq, msi_limited_by_vfio)
{
	fv__edu(&f);
	f.cfg[0x42] = 0x80 | 3 << 1;
	f.irq_count[VFIO_IRQ_MSI] = 1;
	cr_assert_eq(fv__setup(&f, &vp), 0);
	cr_assert_eq(pci_cfg__read(&vp.pdev, vp.lay.msi + 2, 2), 0x0080);
	wr(vp.lay.msi + 2, 3 << 4 | 1, 2);
	cr_assert_eq(fv__find(&f, FV_SET_IRQS, 0)->count, 1);
	down();
}

Test(vfio_irq, msi_errors)
{
	fv__edu(&f);
	cr_assert_eq(fv__setup(&f, &vp), 0);
	f.set_irqs_err = -EINVAL;
	wr(vp.lay.msi + 2, 1, 2);
	cr_assert_eq(vp.msi_live, 0);
	cr_assert_eq(vp.stats.irq_errors, 1);
	cr_assert_eq(vp.stats.msi_programs, 0);
	down();

	fv__free(&f);
	fv__init(&f);
	fv__edu(&f);
	cr_assert_eq(fv__setup(&f, &vp), 0);
	f.eventfd_fails = true;
	wr(vp.lay.msi + 2, 1, 2);
	cr_assert_eq(fv__count(&f, FV_SET_IRQS), 0);
	cr_assert_eq(vp.stats.irq_errors, 1);
	down();
}

/* --- MSI-X --- */

struct rec {
	int raised[8];
	u32 data[8];
};

static struct rec rec;

static int rec_install(struct msix *mx, u16 v, u64 addr, u32 data)
{
	return 0;
}

static int rec_raise(struct msix *mx, u16 v, u64 addr, u32 data)
{
	rec.raised[v]++;
	rec.data[v] = data;
	return 0;
}

static const struct msix_irq_ops rec_ops = {
	.install = rec_install,
	.raise = rec_raise,
};

/* Entry @v of the table in BAR0 at 0x2000: message, then mask bit. */
static void msix_entry(u16 v, u32 data, bool masked)
{
	u32 addr = 0xfee00000, zero = 0, ctl = masked;
	u64 at = 0x2000 + 16 * v;

	pci_dev__bar_access(&vp.pdev, 0, at, (u8 *)&addr, 4, true);
	pci_dev__bar_access(&vp.pdev, 0, at + 4, (u8 *)&zero, 4, true);
	pci_dev__bar_access(&vp.pdev, 0, at + 8, (u8 *)&data, 4, true);
	pci_dev__bar_access(&vp.pdev, 0, at + 12, (u8 *)&ctl, 4, true);
}

/* The host fires vector @v: the event loop calls back. */
static void fire(u16 v)
{
	cr_assert_lt(v, f.nr_watch);
	f.watch[v].fn(NULL, f.watch[v].fd, 1, f.watch[v].arg);
}

Test(vfio_irq, msix_through_the_event_loop)
{
	const struct fv_call *c;

	memset(&rec, 0, sizeof(rec));
	fv__sva(&f);
	cr_assert_eq(fv__setup(&f, &vp), 0);
	cr_assert_eq(vp.lay.msix_nr, 8);
	cr_assert_eq(f.nr_watch, 8, "one watched eventfd per vector");
	msix__set_irq_ops(vp.pdev.msix, &rec_ops, NULL);
	msix_entry(0, 0x50, false);
	msix_entry(1, 0x51, true);
	cr_assert_eq(fv__count(&f, FV_SET_IRQS), 0);

	wr(vp.lay.msix + 2, MSIX_CTRL_ENABLE, 2);
	c = fv__find(&f, FV_SET_IRQS, 0);
	cr_assert_not_null(c);
	cr_assert_eq(c->index, VFIO_IRQ_MSIX);
	cr_assert_eq(c->count, 8);
	for (int v = 0; v < 8; v++)
		cr_assert_eq(c->fds[v], f.watch[v].fd);
	cr_assert_eq(f.msix_live, 8);

	fire(0);
	cr_assert_eq(rec.raised[0], 1);
	cr_assert_eq(rec.data[0], 0x50);
	/* Masked: pending, delivered on unmask. */
	fire(1);
	cr_assert_eq(rec.raised[1], 0);
	cr_assert(msix__pending(vp.pdev.msix, 1));
	msix_entry(1, 0x51, false);
	cr_assert_eq(rec.raised[1], 1);
	cr_assert_eq(vp.stats.msix_relayed, 2);
	/* The function mask does not touch VFIO. */
	wr(vp.lay.msix + 2, MSIX_CTRL_ENABLE | MSIX_CTRL_FMASK, 2);
	cr_assert_eq(fv__count(&f, FV_SET_IRQS), 1);

	wr(vp.lay.msix + 2, 0, 2);
	c = fv__find(&f, FV_SET_IRQS, 1);
	cr_assert_eq(c->count, 0);
	cr_assert_eq(f.msix_live, 0);
	f.nr = 0;
	down();
	cr_assert_eq(fv__count(&f, FV_UNWATCH), 8);
}

Test(vfio_irq, msix_refused)
{
	fv__sva(&f);
	cr_assert_eq(fv__setup(&f, &vp), 0);
	f.set_irqs_err = -ENOSPC;
	wr(vp.lay.msix + 2, MSIX_CTRL_ENABLE, 2);
	cr_assert(!vp.msix_live);
	cr_assert_eq(vp.stats.irq_errors, 1);
	/* Disabling what never went on asks nothing. */
	wr(vp.lay.msix + 2, 0, 2);
	cr_assert_eq(fv__count(&f, FV_SET_IRQS), 1);
	down();
}

/* No MSI-X vectors from VFIO, or table and PBA in two BARs: hidden. */
Test(vfio_irq, msix_hidden)
{
	fv__sva(&f);
	f.irq_count[VFIO_IRQ_MSIX] = 0;
	cr_assert_eq(fv__setup(&f, &vp), 0);
	cr_assert_eq(vp.lay.msix, 0);
	cr_assert_eq(pci_dev__find_cap(&vp.pdev, PCI_CAPID_MSIX), 0);
	cr_assert_eq(f.nr_watch, 0);
	down();

	fv__free(&f);
	fv__init(&f);
	fv__sva(&f);
	f.cfg[0x98] = 2;			/* PBA in BAR2 */
	cr_assert_eq(fv__setup(&f, &vp), 0);
	cr_assert_eq(vp.lay.msix, 0);
	cr_assert_eq(vp.nr_slots, 2, "BAR0 whole, BAR2: no MSI-X holes");
	cr_assert_eq(vp.slots[0].size, 0x4000);
	down();
}
