// SPDX-License-Identifier: GPL-2.0
/*
 * MSI-X state machine: table, function/vector masks, pending bits.  Pure:
 * the irq backend (msix-kvm.c on a vm, a recorder in the unit tests) does
 * the delivery.  A vector is deliverable when MSI-X is enabled, the
 * function is not masked and the vector is not masked; the backend gets
 * its message installed on every transition to deliverable (and on a
 * message change while deliverable), and a vector that was signalled while
 * masked is delivered as soon as it becomes deliverable.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <vsva/msix.h>
#include <vsva/pci.h>

static u32 msix__pba_bytes(u16 nr)
{
	return ALIGN_UP((u32)nr, 64U) / 8;
}

int msix__setup(struct pci_device *pdev, u16 nr, int bar, u32 table_off,
		u32 pba_off)
{
	u32 tbytes = (u32)nr * MSIX_ENTRY_SIZE, pbytes = msix__pba_bytes(nr);
	struct msix *mx;
	u64 size;
	int cap;

	if (pdev->msix || !nr || nr > MSIX_MAX_VECTORS || bar < 0 ||
	    bar >= PCI_NR_BARS)
		return -EINVAL;
	if (pdev->bar[bar].type != PCI_BAR_MEM32 &&
	    pdev->bar[bar].type != PCI_BAR_MEM64)
		return -EINVAL;
	size = pdev->bar[bar].size;
	if ((table_off | pba_off) & 7 || table_off + tbytes > size ||
	    pba_off + pbytes > size ||
	    (table_off < pba_off + pbytes && pba_off < table_off + tbytes))
		return -EINVAL;

	mx = calloc(1, sizeof(*mx));
	if (!mx)
		return -ENOMEM;
	mx->table = calloc(nr, MSIX_ENTRY_SIZE);
	mx->pba = calloc(1, pbytes);
	mx->deliverable = calloc(nr, sizeof(bool));
	if (!mx->table || !mx->pba || !mx->deliverable)
		goto err;

	cap = pci_dev__add_cap(pdev, PCI_CAPID_MSIX, 12);
	if (cap < 0)
		goto err;
	pci_cfg__set(pdev, cap + 2, nr - 1, 2);
	pci_cfg__set_wmask(pdev, cap + 2, MSIX_CTRL_ENABLE | MSIX_CTRL_FMASK,
			   2);
	pci_cfg__set(pdev, cap + 4, table_off | bar, 4);
	pci_cfg__set(pdev, cap + 8, pba_off | bar, 4);

	for (u16 v = 0; v < nr; v++)
		mx->table[v * MSIX_ENTRY_SIZE + 12] = MSIX_VEC_MASKED;
	pthread_mutex_init(&mx->lock, NULL);
	mx->pdev = pdev;
	mx->nr = nr;
	mx->cap = cap;
	mx->bar = bar;
	mx->table_off = table_off;
	mx->pba_off = pba_off;
	pdev->msix = mx;
	return 0;
err:
	free(mx->table);
	free(mx->pba);
	free(mx->deliverable);
	free(mx);
	return -ENOMEM;
}

void msix__free(struct pci_device *pdev)
{
	struct msix *mx = pdev->msix;

	if (!mx)
		return;
	if (mx->irq_ops && mx->irq_ops->release)
		mx->irq_ops->release(mx);
	pthread_mutex_destroy(&mx->lock);
	free(mx->table);
	free(mx->pba);
	free(mx->deliverable);
	free(mx);
	pdev->msix = NULL;
}

void msix__set_irq_ops(struct msix *mx, const struct msix_irq_ops *ops,
		       void *priv)
{
	pthread_mutex_lock(&mx->lock);
	mx->irq_ops = ops;
	mx->irq_priv = priv;
	pthread_mutex_unlock(&mx->lock);
}

static u32 msix__entry32(const struct msix *mx, u16 v, u32 off)
{
	u32 x;

	memcpy(&x, &mx->table[v * MSIX_ENTRY_SIZE + off], 4);
	return x;
}

static u64 msix__addr(const struct msix *mx, u16 v)
{
	return msix__entry32(mx, v, 0) | (u64)msix__entry32(mx, v, 4) << 32;
}

static u32 msix__data(const struct msix *mx, u16 v)
{
	return msix__entry32(mx, v, 8);
}

static bool msix__vec_masked(const struct msix *mx, u16 v)
{
	return msix__entry32(mx, v, 12) & MSIX_VEC_MASKED;
}

static bool msix__test_pending(const struct msix *mx, u16 v)
{
	return mx->pba[v / 64] & (1ULL << (v % 64));
}

static void msix__set_pending(struct msix *mx, u16 v, bool on)
{
	if (on)
		mx->pba[v / 64] |= 1ULL << (v % 64);
	else
		mx->pba[v / 64] &= ~(1ULL << (v % 64));
}

static void msix__install(struct msix *mx, u16 v)
{
	if (mx->irq_ops && mx->irq_ops->install &&
	    mx->irq_ops->install(mx, v, msix__addr(mx, v), msix__data(mx, v)))
		mx->stats.errors++;
}

static int msix__raise(struct msix *mx, u16 v)
{
	int ret = -ENODEV;

	if (mx->irq_ops && mx->irq_ops->raise)
		ret = mx->irq_ops->raise(mx, v, msix__addr(mx, v),
					 msix__data(mx, v));
	if (ret)
		mx->stats.errors++;
	return ret;
}

/* Re-evaluate vector @v after a mask or enable change.  Locked. */
static void msix__update(struct msix *mx, u16 v)
{
	bool now = mx->enabled && !mx->fmask && !msix__vec_masked(mx, v);

	if (now && !mx->deliverable[v]) {
		msix__install(mx, v);
		if (msix__test_pending(mx, v)) {
			msix__set_pending(mx, v, false);
			mx->stats.replayed++;
			msix__raise(mx, v);
		}
	}
	mx->deliverable[v] = now;
}

void msix__ctrl_written(struct msix *mx)
{
	u16 ctrl;

	pthread_mutex_lock(&mx->lock);
	ctrl = pci_cfg__get(mx->pdev, mx->cap + 2, 2);
	mx->enabled = ctrl & MSIX_CTRL_ENABLE;
	mx->fmask = ctrl & MSIX_CTRL_FMASK;
	for (u16 v = 0; v < mx->nr; v++)
		msix__update(mx, v);
	pthread_mutex_unlock(&mx->lock);
}

/* Writable bits of each byte of a table entry. */
static const u8 msix_entry_wmask[MSIX_ENTRY_SIZE] = {
	0xfc, 0xff, 0xff, 0xff,		/* message address (dword aligned) */
	0xff, 0xff, 0xff, 0xff,		/* message upper address */
	0xff, 0xff, 0xff, 0xff,		/* message data */
	MSIX_VEC_MASKED, 0, 0, 0,	/* vector control */
};

static void msix__table_write(struct msix *mx, u32 off, const u8 *data,
			      u32 len)
{
	u32 end = MIN(off + len, (u32)mx->nr * MSIX_ENTRY_SIZE);
	u32 i = off;

	while (i < end) {
		u16 v = i / MSIX_ENTRY_SIZE;
		u64 addr = msix__addr(mx, v);
		u32 msg = msix__data(mx, v);

		for (; i < end && i / MSIX_ENTRY_SIZE == v; i++) {
			u8 m = msix_entry_wmask[i % MSIX_ENTRY_SIZE];
			u8 *p = &mx->table[i];

			*p = (*p & ~m) | (data[i - off] & m);
		}
		/* A message change on a live vector (the spec leaves it
		 * undefined; we follow it). */
		if (mx->deliverable[v] &&
		    (addr != msix__addr(mx, v) || msg != msix__data(mx, v)))
			msix__install(mx, v);
		msix__update(mx, v);
	}
}

bool msix__bar_access(struct msix *mx, int bar, u64 off, u8 *data, u32 len,
		      bool is_write)
{
	u32 tbytes = (u32)mx->nr * MSIX_ENTRY_SIZE;
	u32 pbytes = msix__pba_bytes(mx->nr);

	if (bar != mx->bar)
		return false;

	if (off >= mx->table_off && off - mx->table_off < tbytes) {
		u32 t = off - mx->table_off;

		pthread_mutex_lock(&mx->lock);
		if (is_write) {
			msix__table_write(mx, t, data, len);
		} else {
			for (u32 i = 0; i < len; i++)
				data[i] = t + i < tbytes ? mx->table[t + i] : 0;
		}
		pthread_mutex_unlock(&mx->lock);
		return true;
	}
	if (off >= mx->pba_off && off - mx->pba_off < pbytes) {
		u32 p = off - mx->pba_off;

		if (is_write)
			return true;	/* read-only */
		pthread_mutex_lock(&mx->lock);
		for (u32 i = 0; i < len; i++)
			data[i] = p + i < pbytes ?
				  ((u8 *)mx->pba)[p + i] : 0;
		pthread_mutex_unlock(&mx->lock);
		return true;
	}
	return false;
}

bool msix__pending(struct msix *mx, u16 vector)
{
	bool p;

	if (vector >= mx->nr)
		return false;
	pthread_mutex_lock(&mx->lock);
	p = msix__test_pending(mx, vector);
	pthread_mutex_unlock(&mx->lock);
	return p;
}

int msix__notify(struct pci_device *pdev, u16 vector)
{
	struct msix *mx = pdev->msix;
	int ret = 0;

	if (!mx || vector >= mx->nr)
		return -EINVAL;
	pthread_mutex_lock(&mx->lock);
	if (!mx->enabled) {
		mx->stats.dropped++;
		ret = -EAGAIN;
	} else if (!mx->deliverable[vector]) {
		msix__set_pending(mx, vector, true);
		mx->stats.pended++;
	} else {
		ret = msix__raise(mx, vector);
		if (!ret)
			mx->stats.raised++;
	}
	pthread_mutex_unlock(&mx->lock);
	return ret;
}
