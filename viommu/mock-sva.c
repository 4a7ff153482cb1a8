// SPDX-License-Identifier: GPL-2.0
/*
 * The mock SVA device (`--mock-sva-dev`, docs/mock-sva-device.md): a PCI
 * function with PASID and PRI capabilities and a doorbell in BAR0, backed
 * by an IOMMUFD selftest mock device in the host kernel (the vIOMMU's
 * iommufd backend creates it: pdev->host = PCI_HOST_MOCK).  A ring of the
 * doorbell is decoded (viommu/mock-sva-db.c) and becomes one
 * IOMMU_TEST_OP_TRIGGER_IOPF: the kernel's IOPF core queues the page
 * request on the fault FD, vsva's relay hands it to the guest, and the
 * guest's answer goes back to the kernel by cookie.  The device sees no
 * answer itself (the selftest driver's page_response does nothing), so
 * its counters come from the vIOMMU: what was delivered to the guest and
 * forwarded back for this endpoint, and what the kernel refused.
 *
 * Locking: m->lock guards the registers and counters; it is never held
 * across a call into the vIOMMU (the relay thread takes it for Response
 * Failure).  TRIGGER_IOPF goes through the thread-safe ioctl layer.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <vsva/iommufd.h>
#include <vsva/log.h>
#include <vsva/mock-sva.h>
#include <vsva/pci.h>
#include <vsva/viommu.h>
#include <vsva/virtio-iommu.h>
#include <vsva/vm.h>

/* PCIe extended capability registers we emulate. */
#define PASID_CAP		0x04	/* u16: 1 exec, 2 priv, 12:8 width */
#define PASID_CTRL		0x06	/* u16: 0 enable, 1 exec, 2 priv */
#define PASID_CTRL_ENABLE	0x0001
#define PASID_CTRL_EXEC		0x0002
#define PASID_CTRL_PRIV		0x0004
#define PRI_CTRL		0x04	/* u16: bit 0 enable, bit 1 reset */
#define PRI_STATUS		0x06	/* u16 */
#define PRI_CAPACITY		0x08	/* u32 RO */
#define PRI_ALLOC		0x0c	/* u32 RW */
#define PRI_CTRL_ENABLE		0x0001
#define PRI_CTRL_RESET		0x0002
#define PRI_STS_RF		0x0001
#define PRI_STS_UPRGI		0x0002
#define PRI_STS_STOPPED		0x0100
#define PRI_STS_PASID		0x8000

struct mock_sva {
	struct pci_device pdev;
	struct vm *vm;
	pthread_mutex_t lock;

	u32 ctrl;
	struct msva_doorbell db;
	u32 db_status, db_errno;
	u64 raised, rejected, host_errors, pri_failures;
	u64 snap[MSVA_C__COUNT];
	u16 pasid_off, pri_off;

	struct viommu_endpoint *ep;
	struct iommufd *ifd;		/* the vIOMMU's; NULL: not backed */
	u32 dev_id;			/* the kernel mock device */
	struct viommu_ep_caps caps;
	struct dma_space dma;		/* makes it a vIOMMU endpoint */
};

static u16 msva__cfg16(struct mock_sva *m, u16 off)
{
	return (u16)pci_cfg__get(&m->pdev, off, 2);
}

/* Under m->lock. */
static void msva__enables(struct mock_sva *m, struct msva_enables *en)
{
	u16 pasid = msva__cfg16(m, m->pasid_off + PASID_CTRL);

	*en = (struct msva_enables){
		.ctrl = m->ctrl & MSVA_CTRL_ENABLE,
		.master = msva__cfg16(m, PCI_REG_COMMAND) & PCI_CMD_MASTER,
		.pri = msva__cfg16(m, m->pri_off + PRI_CTRL) & PRI_CTRL_ENABLE,
		.pri_failed = msva__cfg16(m, m->pri_off + PRI_STATUS) &
			      PRI_STS_RF,
		.pri_alloc = pci_cfg__get(&m->pdev, m->pri_off + PRI_ALLOC, 4),
		.pasid = pasid & PASID_CTRL_ENABLE,
		.pasid_exec = pasid & PASID_CTRL_EXEC,
		.pasid_priv = pasid & PASID_CTRL_PRIV,
	};
}

/* A write to DB_RING.  Under m->lock. */
static void msva__ring(struct mock_sva *m)
{
	struct msva_enables en;
	struct msva_request req;
	enum msva_db_status st;
	int ret;

	msva__enables(m, &en);
	st = msva__decode(&m->db, &en, &req);
	if (st == MSVA_DB_OK && (!m->ifd || !m->dev_id))
		st = MSVA_DB_NO_HOST;
	if (st != MSVA_DB_OK) {
		m->db_status = st;
		m->rejected++;
		return;
	}
	ret = iommufd__test_trigger_iopf(m->ifd, m->dev_id, req.pasid,
					 req.grpid, req.perm, req.addr);
	if (ret) {
		m->db_status = MSVA_DB_HOST_ERROR;
		m->db_errno = (u32)-ret;
		m->host_errors++;
		pr_warn("mock-sva: TRIGGER_IOPF (PASID %u, group %u, 0x%llx): %s",
			req.pasid, req.grpid, (unsigned long long)req.addr,
			strerror(-ret));
		return;
	}
	m->db_status = MSVA_DB_OK;
	m->raised++;
}

/* SNAPSHOT: the device's own counters, then the vIOMMU's (relay thread). */
static void msva__snapshot(struct mock_sva *m)
{
	struct virtio_iommu_ep_stats st = { 0 };
	u64 own[3];

	pthread_mutex_lock(&m->lock);
	own[0] = m->raised;
	own[1] = m->rejected;
	own[2] = m->host_errors;
	pthread_mutex_unlock(&m->lock);
	if (m->ep)
		virtio_iommu__ep_stats(m->ep, &st);
	pthread_mutex_lock(&m->lock);
	m->snap[MSVA_C_RAISED] = own[0];
	m->snap[MSVA_C_REJECTED] = own[1];
	m->snap[MSVA_C_HOST_ERRORS] = own[2];
	m->snap[MSVA_C_DELIVERED] = st.records;
	m->snap[MSVA_C_ANSWER_SUCCESS] = st.answered[0];
	m->snap[MSVA_C_ANSWER_INVALID] = st.answered[1];
	m->snap[MSVA_C_ANSWER_FAILURE] = st.answered[2];
	m->snap[MSVA_C_ANSWER_DROPPED] = st.dropped;
	m->snap[MSVA_C_HOST_GROUPS] = st.host_groups;
	m->snap[MSVA_C_HOST_REFUSED] = st.host_refused;
	m->snap[MSVA_C_AUTO_ANSWERED] = st.auto_answered;
	m->snap[MSVA_C_WRITE_ERRORS] = st.write_errors;
	pthread_mutex_unlock(&m->lock);
}

/* 32-bit registers below the counters.  Under m->lock. */
static u32 msva__reg_read(struct mock_sva *m, u64 off)
{
	switch (off) {
	case MSVA_REG_ID:		return MSVA_ID;
	case MSVA_REG_VERSION:		return MSVA_VERSION;
	case MSVA_REG_CAPS:
		return (m->ifd && m->dev_id ? MSVA_CAPS_HOST : 0) |
		       MSVA_GROUP_RECORDS << MSVA_CAPS_GROUP_SHIFT;
	case MSVA_REG_HOST_DEV:		return m->dev_id;
	case MSVA_REG_CTRL:		return m->ctrl;
	case MSVA_REG_DB_PASID:		return m->db.pasid;
	case MSVA_REG_DB_ACCESS:	return m->db.access;
	case MSVA_REG_DB_ADDR_LO:	return (u32)m->db.addr;
	case MSVA_REG_DB_ADDR_HI:	return (u32)(m->db.addr >> 32);
	case MSVA_REG_DB_GROUP:		return m->db.group;
	case MSVA_REG_DB_FLAGS:		return m->db.flags;
	case MSVA_REG_DB_RING:		return m->db_status;
	case MSVA_REG_DB_ERRNO:		return m->db_errno;
	default:			return 0;
	}
}

/* Returns true if the write asks for a snapshot (taken unlocked). */
static bool msva__reg_write(struct mock_sva *m, u64 off, u32 v)
{
	switch (off) {
	case MSVA_REG_CTRL:
		m->ctrl = v & MSVA_CTRL_ENABLE;
		break;
	case MSVA_REG_DB_PASID:
		m->db.pasid = v;
		break;
	case MSVA_REG_DB_ACCESS:
		m->db.access = v;
		break;
	case MSVA_REG_DB_ADDR_LO:
		m->db.addr = (m->db.addr & ~0xffffffffULL) | v;
		break;
	case MSVA_REG_DB_ADDR_HI:
		m->db.addr = (m->db.addr & 0xffffffffULL) | (u64)v << 32;
		break;
	case MSVA_REG_DB_GROUP:
		m->db.group = v;
		break;
	case MSVA_REG_DB_FLAGS:
		m->db.flags = v;
		break;
	case MSVA_REG_DB_RING:
		msva__ring(m);
		break;
	case MSVA_REG_SNAPSHOT:
		return true;
	}
	return false;
}

static void msva__bar_access(struct pci_device *pdev, int bar, u64 off,
			     u8 *data, u32 len, bool is_write)
{
	struct mock_sva *m = container_of(pdev, struct mock_sva, pdev);
	u64 cnt_end = MSVA_REG_COUNTERS + 8 * MSVA_C__COUNT;
	bool snap = false;
	u64 v = 0;

	if (bar != 0 || off >= MSVA_BAR0_SIZE || off + len > MSVA_BAR0_SIZE)
		goto bad;
	if (off >= MSVA_REG_COUNTERS) {
		/* Counters: read-only, 4 or 8 bytes, naturally aligned. */
		if (is_write || (len != 4 && len != 8) || (off & (len - 1)) ||
		    off + len > cnt_end)
			goto bad;
		pthread_mutex_lock(&m->lock);
		v = m->snap[(off - MSVA_REG_COUNTERS) / 8];
		pthread_mutex_unlock(&m->lock);
		if (off & 4)
			v >>= 32;
		memcpy(data, &v, len);
		return;
	}
	if (len == 8 && off == MSVA_REG_DB_ADDR_LO) {
		pthread_mutex_lock(&m->lock);
		if (is_write)
			memcpy(&m->db.addr, data, 8);
		else
			memcpy(data, &m->db.addr, 8);
		pthread_mutex_unlock(&m->lock);
		return;
	}
	if (len != 4 || (off & 3))
		goto bad;
	pthread_mutex_lock(&m->lock);
	if (is_write) {
		u32 w;

		memcpy(&w, data, 4);
		snap = msva__reg_write(m, off, w);
	} else {
		u32 r = msva__reg_read(m, off);

		memcpy(data, &r, 4);
	}
	pthread_mutex_unlock(&m->lock);
	if (snap)
		msva__snapshot(m);
	return;
bad:
	/* Outside the registers, or a width they do not have. */
	if (!is_write)
		memset(data, 0xff, len);
}

/* PRI control (the device cannot see answers, so it never counts
 * anything as outstanding: Stopped follows the enable bit). */
static void msva__cfg_write(struct pci_device *pdev, u16 off, u32 len)
{
	struct mock_sva *m = container_of(pdev, struct mock_sva, pdev);

	pthread_mutex_lock(&m->lock);
	pci_dev__pri_written(pdev, m->pri_off, off, len, 0);
	pthread_mutex_unlock(&m->lock);
}

/* From the relay thread: the guest answered Response Failure. */
static void msva__pri_failure(void *dev)
{
	struct mock_sva *m = dev;
	u16 sts;

	pthread_mutex_lock(&m->lock);
	sts = msva__cfg16(m, m->pri_off + PRI_STATUS);
	pci_cfg__set(&m->pdev, m->pri_off + PRI_STATUS, sts | PRI_STS_RF, 2);
	m->pri_failures++;
	pthread_mutex_unlock(&m->lock);
}

static void msva__iommu_attached(struct pci_device *pdev,
				 struct viommu_endpoint *ep)
{
	struct mock_sva *m = container_of(pdev, struct mock_sva, pdev);

	m->ep = ep;
	m->ifd = virtio_iommu__iommufd(ep);
	m->dev_id = ep->dev_id;
	if (m->ifd && m->dev_id)
		virtio_iommu__register_prq(ep, m->dev_id, msva__pri_failure,
					   m);
	else
		pr_warn("mock-sva: no kernel mock device behind endpoint 0x%x: the doorbell raises nothing",
			ep->id);
}

static void msva__release(struct pci_device *pdev)
{
	struct mock_sva *m = container_of(pdev, struct mock_sva, pdev);

	pr_info("mock-sva: %llu page requests raised, %llu rings rejected, %llu TRIGGER_IOPF errors, %llu Response Failures",
		(unsigned long long)m->raised,
		(unsigned long long)m->rejected,
		(unsigned long long)m->host_errors,
		(unsigned long long)m->pri_failures);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

static const struct pci_device_ops msva_pci_ops = {
	.bar_access = msva__bar_access,
	.cfg_write = msva__cfg_write,
	.iommu_attached = msva__iommu_attached,
	.release = msva__release,
};

static int msva__caps(struct mock_sva *m)
{
	return pci_dev__add_pasid_pri(&m->pdev, MSVA_PASID_BITS,
				      MSVA_PRQ_CAPACITY, &m->pasid_off,
				      &m->pri_off);
}

int mock_sva__init(struct vm *vm)
{
	struct mock_sva *m = calloc(1, sizeof(*m));
	struct pci_device *pdev;
	int ret;

	if (!m)
		return -ENOMEM;
	m->vm = vm;
	m->db_status = MSVA_DB_IDLE;
	pdev = &m->pdev;
	pthread_mutex_init(&m->lock, NULL);
	pci_dev__init(pdev, MSVA_VENDOR, MSVA_DEVICE, MSVA_CLASS, 1);
	pdev->name = "mock-sva";
	pdev->ops = &msva_pci_ops;
	pdev->host = (struct pci_host){ .kind = PCI_HOST_MOCK, .fd = -1 };
	m->caps = viommu__sva_caps(MSVA_PASID_BITS, MSVA_PRQ_CAPACITY);
	pdev->iommu_caps = &m->caps;
	pdev->prq_timeout_ms = vm->cfg->mock_sva_dev_prq_timeout_ms;
	/* No DMA of its own, but an endpoint of the vIOMMU. */
	m->dma.mem = &vm->mem;
	pdev->dma = &m->dma;
	ret = pci_dev__set_bar(pdev, 0, PCI_BAR_MEM32, MSVA_BAR0_SIZE, false);
	if (!ret)
		ret = msva__caps(m);
	if (ret) {
		free(m);
		return ret;
	}
	ret = pci__register(vm, pdev);
	if (ret)
		pr_err("mock-sva: cannot add the PCI function: %d", ret);
	return ret;
}
