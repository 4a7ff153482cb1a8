// SPDX-License-Identifier: GPL-2.0
/*
 * The emulated SVA DMA device (docs/sva-device.md): a PCI function with
 * PASID, PRI and ATS capabilities, a register portal in BAR0, MSI-X in
 * BAR2, and a job engine thread.  Jobs translate through the vIOMMU with
 * their PASID; missing pages become PRI page requests to the host IOMMU
 * model's fault queue, answered through the relay by the guest.
 *
 * Locking: dev->lock guards registers and job slots.  The engine never
 * holds it while calling out (translation, the fault queue), and the
 * fault queue calls page_response() with its own lock held, so the only
 * order is fault queue -> dev.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <vsva/emul-fq.h>
#include <vsva/log.h>
#include <vsva/msix.h>
#include <vsva/pci.h>
#include <vsva/sva-dev.h>
#include <vsva/viommu.h>
#include <vsva/virtio-iommu.h>
#include <vsva/vm.h>

/* PCIe extended capability registers we emulate. */
#define PASID_CAP		0x04	/* u16: bit 1 exec, bit 2 priv, 12:8 width */
#define PASID_CTRL		0x06	/* u16: bit 0 enable, 1 exec, 2 priv */
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
#define ATS_CAP			0x04
#define ATS_CTRL		0x06

enum sva_job_state {
	JOB_FREE = 0,
	JOB_READY,
	JOB_WAIT_PRI,
	JOB_ANSWERED,
};

struct sva_job {
	enum sva_job_state state;
	struct sva_desc d;
	u32 rounds;
	u32 grpid;
	u32 nreq;
	u32 code;		/* the answer, in JOB_ANSWERED */
	u64 first_addr;		/* first page of the outstanding group */
	u32 last_missing;	/* pages missing at the last round */
};

struct sva_dev {
	struct pci_device pdev;
	struct vm *vm;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t thread;
	bool stop, reset_pending;

	u32 ctrl, irq_status, completed, lost, submit_result;
	u8 desc[64];
	struct sva_job jobs[SVA_SLOTS];
	u32 outstanding;		/* page requests against the allocation */
	bool prg_used[512];
	u16 pasid_off, pri_off, ats_off;

	struct viommu_endpoint *ep;
	struct emul_fq *fq;
	u32 dev_id;
	struct viommu_ep_caps caps;
	struct dma_space dma;		/* marks it DMA-capable for the vIOMMU */
	struct sva_dev_stats st;
};

int sva__check_desc(const struct sva_desc *d)
{
	if (!(d->pasid & SVA_DESC_PASID_VALID) ||
	    (d->pasid & ~SVA_DESC_PASID_VALID) >> SVA_PASID_BITS)
		return SVA_ST_BAD_DESC;
	if (d->op < SVA_OP_FILL || d->op > SVA_OP_NOP ||
	    (d->flags & ~(SVA_DESC_F_PRIV | SVA_DESC_F_IRQ)) ||
	    d->reserved0 || d->reserved1 || d->reserved2)
		return SVA_ST_BAD_DESC;
	if (d->op != SVA_OP_NOP && (!d->len || d->len > SVA_MAX_LEN))
		return SVA_ST_BAD_DESC;
	if (d->completion & 31)
		return SVA_ST_BAD_DESC;
	if ((d->op == SVA_OP_COPY || d->op == SVA_OP_COMPARE) &&
	    d->src + d->len < d->src)
		return SVA_ST_BAD_DESC;
	if (d->op != SVA_OP_NOP && d->dst + d->len < d->dst)
		return SVA_ST_BAD_DESC;
	return 0;
}

static u16 sva__cfg16(struct sva_dev *s, u16 off)
{
	return (u16)pci_cfg__get(&s->pdev, off, 2);
}

/* --- translation --- */

/* A range of the job, page by page. */
struct sva_range {
	u64 addr;
	u32 len;
	bool write;
};

#define SVA_MAX_PAGES	(SVA_MAX_LEN / 4096 + 2)

struct sva_missing {
	u64 addr[PRQ_MAX_GROUP];
	u32 perm[PRQ_MAX_GROUP];
	u32 nr;
};

/*
 * Translate every page of @r.  Returns 0 (all there), 1 (some missing,
 * recorded in @m), or an SVA_ST_* for an unrecoverable fault (*fault gets
 * the address).
 */
static int sva__translate_range(struct sva_dev *s, const struct sva_desc *d,
				const struct sva_range *r,
				struct sva_missing *m, u64 *fault)
{
	u64 page = r->addr & ~0xfffULL, end;
	int missing = 0;

	if (!r->len)
		return 0;
	end = r->addr + r->len - 1;
	for (; page <= end && page >= (r->addr & ~0xfffULL); page += 4096) {
		struct viommu_access a = {
			.addr = page < r->addr ? r->addr : page,
			.write = r->write,
			.priv = d->flags & SVA_DESC_F_PRIV,
			.pasid = d->pasid & ~SVA_DESC_PASID_VALID,
			.prq = true,
		};
		struct viommu_xlate x;

		if (!virtio_iommu__translate(s->ep, &a, &x))
			continue;
		if (!viommu__fault_recoverable(x.s1)) {
			*fault = a.addr;
			return SVA_ST_XLATE_FAULT;
		}
		missing = 1;
		if (m->nr < PRQ_MAX_GROUP) {
			m->addr[m->nr] = page;
			m->perm[m->nr] = (r->write ? IOMMU_PGFAULT_PERM_WRITE :
					  IOMMU_PGFAULT_PERM_READ) |
					 ((d->flags & SVA_DESC_F_PRIV) ?
					  IOMMU_PGFAULT_PERM_PRIV : 0);
			m->nr++;
		}
		if (page + 4096 < page)
			break;
	}
	return missing;
}

/* Copy between guest VA ranges (translated page by page). */
static int sva__access(struct sva_dev *s, const struct sva_desc *d, u64 va,
		       void *buf, u32 len, bool write)
{
	u8 *p = buf;

	while (len) {
		struct viommu_access a = {
			.addr = va, .write = write,
			.priv = d->flags & SVA_DESC_F_PRIV,
			.pasid = d->pasid & ~SVA_DESC_PASID_VALID,
			.prq = true,
		};
		struct viommu_xlate x;
		u8 *hva;
		u32 n;

		if (virtio_iommu__translate(s->ep, &a, &x))
			return -EFAULT;
		n = (u32)MIN((u64)len, MIN(x.contig, 4096 - (va & 0xfff)));
		hva = guest_mem__ptr(&s->vm->mem, x.gpa, n);
		if (!hva)
			return -EFAULT;
		if (write)
			memcpy(hva, p, n);
		else
			memcpy(p, hva, n);
		p += n;
		va += n;
		len -= n;
	}
	return 0;
}

static u8 sva__execute(struct sva_dev *s, const struct sva_desc *d,
		       struct sva_completion *c)
{
	u8 a[4096], b[4096];
	u32 done = 0;

	c->result = ~0ULL;
	while (done < d->len && d->op != SVA_OP_NOP) {
		u32 n = MIN(d->len - done, (u32)sizeof(a));

		switch (d->op) {
		case SVA_OP_FILL:
			for (u32 i = 0; i < n; i++)
				a[i] = (u8)(d->pattern >> (8 * ((done + i) & 7)));
			if (sva__access(s, d, d->dst + done, a, n, true))
				goto fault;
			break;
		case SVA_OP_COPY:
			if (sva__access(s, d, d->src + done, a, n, false) ||
			    sva__access(s, d, d->dst + done, a, n, true))
				goto fault;
			break;
		case SVA_OP_COMPARE:
			if (sva__access(s, d, d->src + done, a, n, false) ||
			    sva__access(s, d, d->dst + done, b, n, false))
				goto fault;
			for (u32 i = 0; i < n; i++)
				if (a[i] != b[i]) {
					c->result = done + i;
					c->bytes = done + i;
					return SVA_ST_MISMATCH;
				}
			break;
		}
		done += n;
	}
	c->bytes = done;
	return SVA_ST_SUCCESS;
fault:
	/* The guest unmapped a page between translation and use. */
	c->bytes = done;
	c->fault_addr = d->dst + done;
	return SVA_ST_PAGE_FAULT;
}

/* Finish a job: completion record, counters, interrupt.  Unlocked. */
static void sva__complete(struct sva_dev *s, struct sva_job *j, u8 status,
			  struct sva_completion *c)
{
	bool irq = j->d.flags & SVA_DESC_F_IRQ;

	c->status = status;
	c->user = j->d.user;
	if (sva__access(s, &j->d, j->d.completion, c, sizeof(*c), true)) {
		pthread_mutex_lock(&s->lock);
		s->lost++;
		pthread_mutex_unlock(&s->lock);
	}
	pthread_mutex_lock(&s->lock);
	s->st.completed++;
	s->st.by_status[status & 7]++;
	s->completed++;
	s->irq_status |= 1;
	j->state = JOB_FREE;
	pthread_mutex_unlock(&s->lock);
	if (irq)
		msix__notify(&s->pdev, 0);
}

static int sva__alloc_prg(struct sva_dev *s)
{
	for (int i = 0; i < 512; i++)
		if (!s->prg_used[i]) {
			s->prg_used[i] = true;
			return i;
		}
	return -1;
}

/* Raise a page-request group for @m; 0, or -EAGAIN (no capacity yet). */
static int sva__raise(struct sva_dev *s, struct sva_job *j,
		      const struct sva_missing *m)
{
	u32 alloc, n, pasid = j->d.pasid & ~SVA_DESC_PASID_VALID;
	int prg;

	pthread_mutex_lock(&s->lock);
	alloc = pci_cfg__get(&s->pdev, s->pri_off + PRI_ALLOC, 4);
	alloc = MIN(alloc, (u32)SVA_PRQ_CAPACITY);
	n = MIN(m->nr, alloc > s->outstanding ? alloc - s->outstanding : 0);
	prg = n ? sva__alloc_prg(s) : -1;
	if (prg < 0) {
		pthread_mutex_unlock(&s->lock);
		return -EAGAIN;
	}
	s->outstanding += n;
	j->grpid = (u32)prg;
	j->nreq = n;
	j->first_addr = m->addr[0];
	j->state = JOB_WAIT_PRI;
	s->st.page_requests += n;
	s->st.groups++;
	pthread_mutex_unlock(&s->lock);

	for (u32 i = 0; i < n; i++)
		emul_fq__page_request(s->fq, s->dev_id, pasid, true, (u32)prg,
				      m->perm[i], m->addr[i], i == n - 1);
	return 0;
}

/* One step of a READY job; false if it cannot move now. */
static bool sva__step(struct sva_dev *s, struct sva_job *j)
{
	const struct sva_desc *d = &j->d;
	struct sva_completion c = { 0 };
	struct sva_missing m = { .nr = 0 };
	struct sva_range r[3];
	int nr = 0, ret = 0;
	u16 pri_ctrl, pri_sts, pasid_ctrl;
	u64 fault = 0;

	pthread_mutex_lock(&s->lock);
	pasid_ctrl = sva__cfg16(s, s->pasid_off + PASID_CTRL);
	pri_ctrl = sva__cfg16(s, s->pri_off + PRI_CTRL);
	pri_sts = sva__cfg16(s, s->pri_off + PRI_STATUS);
	pthread_mutex_unlock(&s->lock);

	if (!(pasid_ctrl & 1) || !s->ep ||
	    ((d->flags & SVA_DESC_F_PRIV) && !(pasid_ctrl & 4))) {
		sva__complete(s, j, SVA_ST_BAD_DESC, &c);
		return true;
	}
	if (d->op == SVA_OP_FILL || d->op == SVA_OP_COPY)
		r[nr++] = (struct sva_range){ d->dst, d->len, true };
	if (d->op == SVA_OP_COPY || d->op == SVA_OP_COMPARE)
		r[nr++] = (struct sva_range){ d->src, d->len, false };
	if (d->op == SVA_OP_COMPARE)
		r[nr++] = (struct sva_range){ d->dst, d->len, false };
	r[nr++] = (struct sva_range){ d->completion,
				      sizeof(struct sva_completion), true };
	for (int i = 0; i < nr && ret >= 0; i++) {
		int t = sva__translate_range(s, d, &r[i], &m, &fault);

		if (t > 1) {
			c.fault_addr = fault;
			/* The completion record itself may be what faults. */
			sva__complete(s, j, (u8)t, &c);
			return true;
		}
		ret |= t;
	}
	if (!ret) {
		u8 st = sva__execute(s, d, &c);

		sva__complete(s, j, st, &c);
		return true;
	}
	if (!(pri_ctrl & PRI_CTRL_ENABLE)) {
		c.fault_addr = m.addr[0];
		sva__complete(s, j, SVA_ST_XLATE_FAULT, &c);
		return true;
	}
	if (pri_sts & PRI_STS_RF) {
		c.fault_addr = m.addr[0];
		sva__complete(s, j, SVA_ST_PRI_FAILURE, &c);
		return true;
	}
	/* Only rounds that bring no progress count against the limit. */
	if (j->last_missing && m.nr < j->last_missing)
		j->rounds = 0;
	j->last_missing = m.nr;
	if (++j->rounds > SVA_MAX_ROUNDS) {
		s->st.rounds_exhausted++;
		c.fault_addr = m.addr[0];
		sva__complete(s, j, SVA_ST_PAGE_FAULT, &c);
		return true;
	}
	if (sva__raise(s, j, &m)) {
		j->rounds--;
		return false;	/* wait for the allocation to free up */
	}
	return true;
}

/* The answer arrived: back to READY, or finished. */
static void sva__answered(struct sva_dev *s, struct sva_job *j)
{
	struct sva_completion c = { .fault_addr = j->first_addr };
	u16 sts;

	pthread_mutex_lock(&s->lock);
	sts = sva__cfg16(s, s->pri_off + PRI_STATUS);
	if (j->code == IOMMUFD_PAGE_RESP_SUCCESS) {
		j->state = JOB_READY;
		pthread_mutex_unlock(&s->lock);
		return;
	}
	pthread_mutex_unlock(&s->lock);
	sva__complete(s, j, (sts & PRI_STS_RF) ? SVA_ST_PRI_FAILURE :
			    SVA_ST_PAGE_FAULT, &c);
}

static void sva__do_reset(struct sva_dev *s)
{
	struct sva_completion c = { 0 };

	/* Outstanding page requests are answered before anything goes:
	 * the relay answers them INVALID, which wakes the waiting jobs. */
	if (s->ep)
		virtio_iommu__ep_reset(s->ep);
	pthread_mutex_lock(&s->lock);
	s->reset_pending = false;
	pthread_mutex_unlock(&s->lock);
	for (int i = 0; i < SVA_SLOTS; i++) {
		struct sva_job *j = &s->jobs[i];

		if (j->state == JOB_READY || j->state == JOB_ANSWERED)
			sva__complete(s, j, SVA_ST_ABORTED, &c);
	}
}

static void *sva__thread(void *arg)
{
	struct sva_dev *s = arg;

	pthread_mutex_lock(&s->lock);
	while (!s->stop) {
		bool progress = false;

		if (s->reset_pending) {
			pthread_mutex_unlock(&s->lock);
			sva__do_reset(s);
			pthread_mutex_lock(&s->lock);
			continue;
		}
		for (int i = 0; i < SVA_SLOTS && !s->stop; i++) {
			struct sva_job *j = &s->jobs[i];

			if (j->state == JOB_ANSWERED) {
				pthread_mutex_unlock(&s->lock);
				sva__answered(s, j);
				pthread_mutex_lock(&s->lock);
				progress = true;
			}
			if (j->state == JOB_READY) {
				pthread_mutex_unlock(&s->lock);
				progress |= sva__step(s, j);
				pthread_mutex_lock(&s->lock);
			}
		}
		if (!progress && !s->stop && !s->reset_pending)
			pthread_cond_wait(&s->cond, &s->lock);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* From the fault queue (its lock held): a page group response. */
static void sva__page_response(void *dev, u32 pasid, bool pasid_valid,
			       u32 grpid, u32 code)
{
	struct sva_dev *s = dev;
	bool found = false;

	pthread_mutex_lock(&s->lock);
	for (int i = 0; i < SVA_SLOTS; i++) {
		struct sva_job *j = &s->jobs[i];

		if (j->state == JOB_WAIT_PRI && j->grpid == grpid &&
		    (j->d.pasid & ~SVA_DESC_PASID_VALID) == pasid) {
			j->state = JOB_ANSWERED;
			j->code = code;
			s->st.answers++;
			s->outstanding -= MIN(s->outstanding, j->nreq);
			s->prg_used[grpid & 511] = false;
			found = true;
			break;
		}
	}
	if (!found) {
		u16 sts = sva__cfg16(s, s->pri_off + PRI_STATUS);

		pci_cfg__set(&s->pdev, s->pri_off + PRI_STATUS,
			     sts | PRI_STS_UPRGI, 2);
		s->st.uprgi++;
	}
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

static const struct emul_fq_dev_ops sva_fq_ops = {
	.page_response = sva__page_response,
};

/* The relay tells us the guest answered Response Failure. */
static void sva__pri_failure(void *dev)
{
	struct sva_dev *s = dev;
	u16 sts;

	pthread_mutex_lock(&s->lock);
	sts = sva__cfg16(s, s->pri_off + PRI_STATUS);
	pci_cfg__set(&s->pdev, s->pri_off + PRI_STATUS, sts | PRI_STS_RF, 2);
	pthread_mutex_unlock(&s->lock);
}

/* --- registers --- */

static void sva__submit(struct sva_dev *s)
{
	struct sva_desc d;
	int slot = -1;

	memcpy(&d, s->desc, sizeof(d));
	if (!(s->ctrl & SVA_CTRL_ENABLE) || s->reset_pending) {
		s->submit_result = SVA_SUBMIT_DISABLED;
		return;
	}
	if (sva__check_desc(&d)) {
		s->submit_result = SVA_SUBMIT_BAD;
		return;
	}
	for (int i = 0; i < SVA_SLOTS; i++)
		if (s->jobs[i].state == JOB_FREE) {
			slot = i;
			break;
		}
	if (slot < 0) {
		s->submit_result = SVA_SUBMIT_BUSY;
		return;
	}
	memset(&s->jobs[slot], 0, sizeof(s->jobs[slot]));
	s->jobs[slot].d = d;
	s->jobs[slot].state = JOB_READY;
	s->submit_result = SVA_SUBMIT_OK;
	s->st.submitted++;
	pthread_cond_signal(&s->cond);
}

static void sva__bar_access(struct pci_device *pdev, int bar, u64 off,
			    u8 *data, u32 len, bool is_write)
{
	struct sva_dev *s = container_of(pdev, struct sva_dev, pdev);
	u64 v = 0;

	if (bar != 0 || len > 8 || off + len > SVA_BAR0_SIZE) {
		if (!is_write)
			memset(data, 0xff, len);
		return;
	}
	pthread_mutex_lock(&s->lock);
	if (off >= SVA_REG_DESC && off + len <= SVA_REG_DESC + 64) {
		if (is_write)
			memcpy(s->desc + off - SVA_REG_DESC, data, len);
		else
			memcpy(data, s->desc + off - SVA_REG_DESC, len);
		pthread_mutex_unlock(&s->lock);
		return;
	}
	if (is_write) {
		memcpy(&v, data, len);
		switch (off) {
		case SVA_REG_CTRL:
			s->ctrl = (u32)v & SVA_CTRL_ENABLE;
			if (v & SVA_CTRL_RESET) {
				s->reset_pending = true;
				pthread_cond_signal(&s->cond);
			}
			break;
		case SVA_REG_IRQ_STATUS:
			s->irq_status &= ~(u32)v;
			break;
		case SVA_REG_SUBMIT:
			sva__submit(s);
			break;
		}
	} else {
		switch (off) {
		case SVA_REG_ID: v = SVA_ID; break;
		case SVA_REG_VERSION: v = 1; break;
		case SVA_REG_CAPS: v = SVA_SLOTS; break;
		case SVA_REG_CTRL:
			v = s->ctrl | (s->reset_pending ? SVA_CTRL_RESET : 0);
			break;
		case SVA_REG_IRQ_STATUS: v = s->irq_status; break;
		case SVA_REG_COMPLETED: v = s->completed; break;
		case SVA_REG_LOST: v = s->lost; break;
		case SVA_REG_SUBMIT: v = s->submit_result; break;
		}
		memcpy(data, &v, len);
	}
	pthread_mutex_unlock(&s->lock);
}

/* PRI control: Reset, and Stopped while disabled with nothing out. */
static void sva__cfg_write(struct pci_device *pdev, u16 off, u32 len)
{
	struct sva_dev *s = container_of(pdev, struct sva_dev, pdev);

	pthread_mutex_lock(&s->lock);
	if (pci_dev__pri_written(pdev, s->pri_off, off, len, s->outstanding))
		pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

static void sva__iommu_attached(struct pci_device *pdev,
				struct viommu_endpoint *ep)
{
	struct sva_dev *s = container_of(pdev, struct sva_dev, pdev);
	int id;

	s->ep = ep;
	s->fq = virtio_iommu__fault_queue(ep);
	if (!s->fq)
		return;
	id = emul_fq__add_device(s->fq, &sva_fq_ops, s);
	if (id > 0) {
		s->dev_id = (u32)id;
		virtio_iommu__register_prq(ep, (u32)id, sva__pri_failure, s);
	}
}

static void sva__release(struct pci_device *pdev)
{
	struct sva_dev *s = container_of(pdev, struct sva_dev, pdev);

	pthread_mutex_lock(&s->lock);
	s->stop = true;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	s->vm->sva = NULL;
	if (s->fq && s->dev_id)
		emul_fq__remove_device(s->fq, s->dev_id);
	pr_info("sva-dev: %llu jobs submitted, %llu completed, %llu page requests in %llu groups",
		(unsigned long long)s->st.submitted,
		(unsigned long long)s->st.completed,
		(unsigned long long)s->st.page_requests,
		(unsigned long long)s->st.groups);
	free(s);
}

void sva_dev__stats(struct vm *vm, struct sva_dev_stats *out)
{
	struct sva_dev *s = vm->sva;

	memset(out, 0, sizeof(*out));
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	*out = s->st;
	pthread_mutex_unlock(&s->lock);
}

static const struct pci_device_ops sva_pci_ops = {
	.bar_access = sva__bar_access,
	.cfg_write = sva__cfg_write,
	.iommu_attached = sva__iommu_attached,
	.release = sva__release,
};

static int sva__caps(struct sva_dev *s)
{
	struct pci_device *pdev = &s->pdev;
	int off, ret;

	ret = pci_dev__add_pasid_pri(pdev, SVA_PASID_BITS, SVA_PRQ_CAPACITY,
				     &s->pasid_off, &s->pri_off);
	if (ret)
		return ret;
	off = pci_dev__add_ext_cap(pdev, PCI_EXTCAPID_ATS, 1, 8);
	if (off < 0)
		return off;
	s->ats_off = (u16)off;
	pci_cfg__set_wmask(pdev, (u16)off + ATS_CTRL, 0x801f, 2);
	return 0;
}

int sva_dev__init(struct vm *vm)
{
	struct sva_dev *s = calloc(1, sizeof(*s));
	struct pci_device *pdev;
	int ret;

	if (!s)
		return -ENOMEM;
	s->vm = vm;
	pdev = &s->pdev;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	pci_dev__init(pdev, SVA_VENDOR, SVA_DEVICE, SVA_CLASS, 1);
	pdev->name = "sva-dev";
	pdev->ops = &sva_pci_ops;
	s->caps = viommu__sva_caps(SVA_PASID_BITS, SVA_PRQ_CAPACITY);
	pdev->iommu_caps = &s->caps;
	pdev->prq_timeout_ms = vm->cfg->sva_dev_prq_timeout_ms;
	s->dma.mem = &vm->mem;
	pdev->dma = &s->dma;
	/* The device does DMA, but only through the vIOMMU (PASID-tagged):
	 * without one it reaches nothing. */
	ret = pci_dev__set_bar(pdev, 0, PCI_BAR_MEM32, SVA_BAR0_SIZE, false);
	if (!ret)
		ret = pci_dev__set_bar(pdev, 2, PCI_BAR_MEM32, SVA_BAR2_SIZE,
				       false);
	if (!ret)
		ret = msix__setup(pdev, 1, 2, 0, 0x2000);
	if (!ret)
		ret = sva__caps(s);
	if (!ret)
		ret = pthread_create(&s->thread, NULL, sva__thread, s);
	if (ret) {
		free(s);
		return ret > 0 ? -ret : ret;
	}
	pthread_setname_np(s->thread, "vsva-sva-dev");
	vm->sva = s;
	ret = pci__register(vm, pdev);
	if (ret)
		pr_err("sva-dev: cannot add the PCI function: %d", ret);
	return ret;
}
