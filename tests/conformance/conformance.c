// SPDX-License-Identifier: GPL-2.0
/*
 * vsva-conformance: vsva's iommufd backend against the real kernel, in the
 * lab's L1 (mock configuration: CONFIG_IOMMUFD_TEST + IOMMU_IOPF).  Linked
 * against vsva's own objects (libvsva.a): the vIOMMU core, the backend
 * (viommu/backend-iommufd.c), its ioctl layer (viommu/iommufd.c), the relay
 * and the queue translation.  The selftest driver stands in for a device
 * (MOCK_DOMAIN, MOCK_DOMAIN_REPLACE, MD_CHECK_IOTLB, TRIGGER_IOPF); a
 * small guest stand-in takes the relay's page requests, as viommu/synth.c
 * does for the emul backend.
 *
 * Output: one line per case, `PASS name` or `FAIL name: why`, then
 * `N passed, M failed`; exit status 0 only if none failed.
 *   vsva-conformance [-v]      (-v: vsva's debug log, every ioctl traced)
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <vsva/backend-iommufd.h>
#include <vsva/log.h>
#include <vsva/relay.h>

/* Guest RAM: two regions inside the mock IOMMU's aperture. */
#define CONF_RAM0		0x1000000ULL	/* 16 MiB */
#define CONF_RAM1		0x2000000ULL	/* 32 MiB */
#define CONF_RAM_SIZE		(4 * SZ_1M)	/* per region */
#define CONF_SCRATCH_IOVA	0x3000000ULL
#define CONF_DOM_IOVA		0x10000000ULL	/* shadow domain mappings */

#define EP_A			0x08		/* core-driven mock device */
#define EP_B			0x10		/* backend-driven mock device */
#define EP_EMUL			0x18		/* no host device */
#define DOM			1

#define CONF_STORM		384
#define CONF_MAX_RECS		2048
#define CONF_WAIT_MS		10000

struct conf {
	struct iommufd ifd;
	struct guest_mem mem;
	u8 *ram;
	struct iommufd_be be;
	bool be_up;
	struct viommu v;
	bool v_up;
	struct relay *relay;
	bool relay_started;
	const struct iommufd_be_dev *a, *b;

	/* The guest stand-in (relay thread), read by the main thread. */
	pthread_mutex_t lock;
	bool hold;		/* keep groups instead of answering */
	struct virtio_iommu_page_req recs[CONF_MAX_RECS];
	u32 nr_recs;
	u32 kicked;		/* records looked at by kick */
	u32 answered_ok;	/* PAGE_RESPs the relay accepted */
	u32 answered_bad;

	int passed, failed;
};

#define WHY_LEN		256
#define EXPECT(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			snprintf(why, WHY_LEN, __VA_ARGS__);		\
			return false;					\
		}							\
	} while (0)

static u64 conf__ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000 + (u64)ts.tv_nsec / 1000000;
}

static const char *conf__err(int ret)
{
	return ret ? strerror(-ret) : "ok";
}

/* --- on the relay thread --- */

struct conf_call {
	struct conf *c;
	void (*fn)(struct conf *c, void *arg);
	void *arg;
};

static void conf__tramp(struct relay *r, void *arg)
{
	struct conf_call *cc = arg;

	cc->fn(cc->c, cc->arg);
}

/* Run @fn on the relay thread (inline before it starts), as vsva runs the
 * virtio-iommu requestq there. */
static void conf__on_relay(struct conf *c, void (*fn)(struct conf *c, void *),
			   void *arg)
{
	struct conf_call cc = { c, fn, arg };

	relay__call(c->relay, conf__tramp, &cc);
}

static void conf__stats_fn(struct conf *c, void *arg)
{
	relay__stats(c->relay, arg);
}

static void conf__stats(struct conf *c, struct relay_stats *st)
{
	conf__on_relay(c, conf__stats_fn, st);
}

/* --- the guest stand-in --- */

static int conf__room(void *g)
{
	struct conf *c = g;

	return (int)(CONF_MAX_RECS - c->nr_recs);
}

static void conf__push(void *g, const struct virtio_iommu_page_req *rec,
		       u32 n)
{
	struct conf *c = g;

	pthread_mutex_lock(&c->lock);
	memcpy(&c->recs[c->nr_recs], rec, n * sizeof(*rec));
	c->nr_recs += n;
	pthread_mutex_unlock(&c->lock);
}

static u8 conf__answer_rec(struct conf *c,
			   const struct virtio_iommu_page_req *r, u16 code)
{
	struct virtio_iommu_req_page_resp resp = {
		.head.type = VIRTIO_IOMMU_T_PAGE_RESP,
		.endpoint = r->endpoint, .pasid = r->pasid,
		.flags = (r->flags & VSVA_PRQ_F_PASID_VALID) ?
			 VSVA_PAGE_RESP_F_PASID_VALID : 0,
		.tag = r->tag, .code = code,
	};
	u8 st = relay__page_resp(c->relay, &resp);

	pthread_mutex_lock(&c->lock);
	if (st == VIRTIO_IOMMU_S_OK)
		c->answered_ok++;
	else
		c->answered_bad++;
	pthread_mutex_unlock(&c->lock);
	return st;
}

/* A guest after its interrupt: answer every new group (unless holding). */
static void conf__kick(void *g)
{
	struct conf *c = g;
	u32 end;

	pthread_mutex_lock(&c->lock);
	end = c->nr_recs;
	if (c->hold)
		c->kicked = end;
	pthread_mutex_unlock(&c->lock);
	for (; c->kicked < end; c->kicked++)
		if (c->recs[c->kicked].flags & VSVA_PRQ_F_LAST)
			conf__answer_rec(c, &c->recs[c->kicked],
					 VSVA_PAGE_RESP_SUCCESS);
}

static void conf__requests(void *g)
{
}

static const struct relay_guest_ops conf_guest_ops = {
	.room = conf__room,
	.push = conf__push,
	.kick = conf__kick,
	.requests = conf__requests,
};

/*
 * The core's page-request hook, as virtio/iommu.c does it for the
 * iommufd backend: quiesce before, and after the backend acted, drop (or
 * answer) what the backend says the host did.
 */
static void conf__prq_hook(void *opaque, struct viommu_endpoint *ep,
			   u32 pasid, int phase, bool replace)
{
	struct conf *c = opaque;
	struct iommufd_be_drain d;

	if (!ep->dev_id)
		return;
	if (phase == VIOMMU_PRQ_BEFORE) {
		relay__quiesce(c->relay);
		return;
	}
	iommufd_be__drain(&c->be, ep->id, &d);
	if (d.kind != IOMMUFD_DRAIN_NONE)
		relay__drop(c->relay, ep->id, d.pasid,
			    replace ? PRQ_AUTO_REPLACE : PRQ_AUTO_DETACH,
			    d.kind == IOMMUFD_DRAIN_VSVA_ANSWERS);
}

static u32 conf__nr_recs(struct conf *c)
{
	u32 n;

	pthread_mutex_lock(&c->lock);
	n = c->nr_recs;
	pthread_mutex_unlock(&c->lock);
	return n;
}

static bool conf__wait_recs(struct conf *c, u32 n)
{
	u64 end = conf__ms() + CONF_WAIT_MS;

	while (conf__nr_recs(c) < n) {
		if (conf__ms() > end)
			return false;
		usleep(1000);
	}
	return true;
}

/* Wait until the relay has no answer left to write. */
static bool conf__wait_written(struct conf *c, u64 writes_before,
			       u64 answered, struct relay_stats *st)
{
	u64 end = conf__ms() + CONF_WAIT_MS;

	for (;;) {
		conf__stats(c, st);
		if (st->prq.answered_by_guest >= answered &&
		    st->writes > writes_before)
			return true;
		if (conf__ms() > end)
			return false;
		usleep(2000);
	}
}

static void conf__set_hold(struct conf *c, bool hold)
{
	pthread_mutex_lock(&c->lock);
	c->hold = hold;
	pthread_mutex_unlock(&c->lock);
}

struct conf_answer {
	u32 idx[8];
	int n;
	u8 st[8];
};

static void conf__answer_fn(struct conf *c, void *arg)
{
	struct conf_answer *a = arg;

	for (int i = 0; i < a->n; i++)
		a->st[i] = conf__answer_rec(c, &c->recs[a->idx[i]],
					    VSVA_PAGE_RESP_SUCCESS);
}

/* --- core calls (relay thread) --- */

struct conf_core {
	int op;
	u32 ep, pasid, dom;
	u64 a, b, c;
	u32 flags;
	const struct virtio_iommu_inv_entry *inv;
	u32 nr;
	u8 *status;
	u8 ret;
};

enum { CC_ATTACH, CC_DETACH, CC_MAP, CC_UNMAP, CC_TABLE, CC_UNTABLE,
       CC_INVAL };

static void conf__core_fn(struct conf *c, void *arg)
{
	struct conf_core *k = arg;

	switch (k->op) {
	case CC_ATTACH:
		k->ret = viommu__attach(&c->v, k->dom, k->ep, 0);
		break;
	case CC_DETACH:
		k->ret = viommu__detach(&c->v, k->dom, k->ep);
		break;
	case CC_MAP:
		k->ret = viommu__map(&c->v, k->dom, k->a, k->b, k->c,
				     k->flags);
		break;
	case CC_UNMAP:
		k->ret = viommu__unmap(&c->v, k->dom, k->a, k->b);
		break;
	case CC_TABLE:
		k->ret = viommu__attach_table(&c->v, k->ep, k->pasid,
					      k->flags, VSVA_S1_FORMAT_X86_64,
					      (u8)k->b, k->a);
		break;
	case CC_UNTABLE:
		k->ret = viommu__detach_table(&c->v, k->ep, k->pasid);
		break;
	case CC_INVAL:
		k->ret = viommu__invalidate_batch(&c->v, k->inv, k->nr,
						  k->status);
		break;
	}
}

static u8 conf__core(struct conf *c, struct conf_core k)
{
	conf__on_relay(c, conf__core_fn, &k);
	return k.ret;
}

static u8 conf__table(struct conf *c, u32 ep, u32 pasid, u64 root)
{
	return conf__core(c, (struct conf_core){
		.op = CC_TABLE, .ep = ep, .pasid = pasid, .a = root, .b = 4 });
}

/* --- the cases --- */

static bool case_ioas_map_guest_ram(struct conf *c, char *why)
{
	struct iofd_iova_range r[8];
	u32 nr = 0;
	int ret;

	ret = iommufd_be__init(&c->be, &c->ifd, &c->mem);
	EXPECT(!ret, "iommufd_be__init: %s", conf__err(ret));
	c->be_up = true;
	EXPECT(c->be.gpa_ioas && c->be.blocked_ioas, "no IOAS IDs");
	ret = iommufd__ioas_iova_ranges(&c->ifd, c->be.gpa_ioas, r, &nr,
					NULL);
	EXPECT(ret == -EMSGSIZE && nr >= 1,
	       "IOVA_RANGES with no room: %s, num %u (want EMSGSIZE)",
	       conf__err(ret), nr);
	nr = ARRAY_SIZE(r);
	ret = iommufd__ioas_iova_ranges(&c->ifd, c->be.gpa_ioas, r, &nr,
					NULL);
	EXPECT(!ret && nr >= 1 && nr <= ARRAY_SIZE(r), "IOVA_RANGES: %s",
	       conf__err(ret));
	for (int i = 0; i < c->mem.nr_regions; i++) {
		const struct guest_mem_region *g = &c->mem.regions[i];
		bool in = false;

		for (u32 j = 0; j < nr; j++)
			in |= r[j].start <= g->gpa &&
			      r[j].last >= g->gpa + g->size - 1;
		EXPECT(in, "RAM at 0x%llx outside the allowed IOVAs",
		       (unsigned long long)g->gpa);
	}
	/* It is mapped: the same fixed IOVA cannot be mapped twice. */
	ret = iommufd__ioas_map(&c->ifd, c->be.gpa_ioas, CONF_RAM0, c->ram,
				SZ_4K, IOFD_IOAS_MAP_READABLE);
	EXPECT(ret, "guest RAM at GPA 0x%llx was not mapped",
	       (unsigned long long)CONF_RAM0);
	return true;
}

static bool case_ioas_unmap(struct conf *c, char *why)
{
	u64 done = ~0ULL;
	u32 ioas;
	int ret;

	ret = iommufd__ioas_unmap(&c->ifd, c->be.blocked_ioas, CONF_RAM0,
				  SZ_4K, &done);
	EXPECT(!ret && done == 0, "unmap of nothing: %s (ENOENT is success)",
	       conf__err(ret));
	ret = iommufd__ioas_alloc(&c->ifd, &ioas);
	EXPECT(!ret, "IOAS_ALLOC: %s", conf__err(ret));
	ret = iommufd__ioas_map(&c->ifd, ioas, CONF_SCRATCH_IOVA, c->ram,
				16 * SZ_4K, IOFD_IOAS_MAP_READABLE |
				IOFD_IOAS_MAP_WRITEABLE);
	EXPECT(!ret, "IOAS_MAP: %s", conf__err(ret));
	ret = iommufd__ioas_unmap(&c->ifd, ioas, CONF_SCRATCH_IOVA,
				  16 * SZ_4K, &done);
	EXPECT(!ret && done == 16 * SZ_4K, "IOAS_UNMAP: %s, %llu bytes",
	       conf__err(ret), (unsigned long long)done);
	ret = iommufd__destroy(&c->ifd, ioas);
	EXPECT(!ret, "DESTROY: %s", conf__err(ret));
	return true;
}

static bool case_fault_queue(struct conf *c, char *why)
{
	struct prq_host_fault f;
	struct pollfd p;
	ssize_t n;

	EXPECT(c->be.fault_fd >= 0 && c->be.fault_id,
	       "no fault queue: %s", c->be.fault_reason);
	n = read(c->be.fault_fd, &f, sizeof(f));
	EXPECT(n == 0, "read of an empty fault FD: %zd (want 0)", n);
	p = (struct pollfd){ .fd = c->be.fault_fd, .events = POLLIN | POLLOUT };
	EXPECT(poll(&p, 1, 0) == 1 && !(p.revents & POLLIN) &&
	       (p.revents & POLLOUT), "poll: revents 0x%x", p.revents);
	return true;
}

static bool case_mock_device(struct conf *c, char *why)
{
	struct iofd_test_hw_info info = { 0 };
	struct iommufd_hw_info hw;
	int ret;

	ret = iommufd_be__add_mock(&c->be, EP_A);
	EXPECT(!ret, "add_mock: %s", conf__err(ret));
	ret = iommufd_be__add_mock(&c->be, EP_B);
	EXPECT(!ret, "add_mock (second): %s", conf__err(ret));
	c->a = iommufd_be__dev(&c->be, EP_A);
	c->b = iommufd_be__dev(&c->be, EP_B);
	EXPECT(c->a && c->b && c->a->dev_id != c->b->dev_id, "devices");
	EXPECT(c->a->hw.type == IOFD_HW_INFO_TYPE_SELFTEST,
	       "hw_info type 0x%x", c->a->hw.type);
	EXPECT(c->a->s1 == IOMMUFD_S1_RID && c->a->parent &&
	       c->a->page_req, "no nesting: %s", c->a->reason);
	EXPECT(c->a->rid_pt == c->a->parent,
	       "RID on %u, not on the nest parent %u", c->a->rid_pt,
	       c->a->parent);
	ret = iommufd__get_hw_info(&c->ifd, c->a->dev_id, &info, sizeof(info),
				   &hw);
	EXPECT(!ret && info.test_reg == IOFD_HW_INFO_SELFTEST_REGVAL,
	       "GET_HW_INFO data: %s, test_reg 0x%x", conf__err(ret),
	       info.test_reg);
	return true;
}

/* The mock IOMMU only reaches [16 MiB, 2 GiB): RAM at GPA 0 cannot be
 * stage 2 of a mock device (what a guest-driven mock device must mind). */
static bool case_mock_aperture(struct conf *c, char *why)
{
	u32 ioas, stdev, dev;
	int ret;

	ret = iommufd__ioas_alloc(&c->ifd, &ioas);
	EXPECT(!ret, "IOAS_ALLOC: %s", conf__err(ret));
	ret = iommufd__ioas_map(&c->ifd, ioas, 0, c->ram, SZ_4K,
				IOFD_IOAS_MAP_READABLE);
	EXPECT(!ret, "IOAS_MAP at IOVA 0: %s", conf__err(ret));
	ret = iommufd__test_mock_domain(&c->ifd, ioas, &stdev, NULL, &dev);
	if (!ret)
		iommufd__destroy(&c->ifd, stdev);
	EXPECT(ret, "a mock device attached to an IOAS with IOVA 0 mapped");
	snprintf(why, WHY_LEN, "MOCK_DOMAIN with IOVA 0 mapped: %s",
		 conf__err(ret));
	ret = iommufd__destroy(&c->ifd, ioas);
	EXPECT(!ret, "DESTROY: %s", conf__err(ret));
	return true;
}

static bool case_hwpt_alloc_rules(struct conf *c, char *why)
{
	struct iofd_hwpt_selftest st = { IOFD_TEST_IOTLB_DEFAULT };
	struct iommufd_hwpt_args a = {
		.dev_id = c->a->dev_id, .pt_id = c->be.gpa_ioas,
		.flags = IOFD_HWPT_ALLOC_NEST_PARENT | IOFD_HWPT_FAULT_ID_VALID,
		.fault_id = c->be.fault_id,
	};
	u32 id;
	int ret;

	ret = iommufd__hwpt_alloc(&c->ifd, &a, &id);
	EXPECT(ret == -EOPNOTSUPP, "NEST_PARENT|FAULT_ID_VALID: %s",
	       conf__err(ret));
	a = (struct iommufd_hwpt_args){
		.dev_id = c->a->dev_id, .pt_id = c->a->parent,
		.flags = IOFD_HWPT_FAULT_ID_VALID, .fault_id = ~0U,
		.data_type = IOFD_HWPT_DATA_SELFTEST, .data = &st,
		.data_len = sizeof(st),
	};
	ret = iommufd__hwpt_alloc(&c->ifd, &a, &id);
	EXPECT(ret == -ENOENT, "unknown fault_id: %s", conf__err(ret));
	a.flags = IOFD_HWPT_FAULT_ID_VALID | (1U << 31);
	a.fault_id = c->be.fault_id;
	ret = iommufd__hwpt_alloc(&c->ifd, &a, &id);
	EXPECT(ret == -EOPNOTSUPP, "unknown flag: %s", conf__err(ret));
	return true;
}

static bool case_ep_caps(struct conf *c, char *why)
{
	struct viommu_ep_caps want = {
		.pasid_bits = 16, .formats = VSVA_S1_FMT_X86_64_4LVL |
		VSVA_S1_FMT_X86_64_5LVL, .table_flags = VSVA_TABLE_F_MASK,
		.page_req = true, .prq_capacity = 64,
	};
	struct viommu_endpoint *a, *e;

	viommu__init(&c->v, &c->mem, &iommufd_be_ops, &c->be);
	c->v_up = true;
	c->v.features = viommu__device_features();
	c->v.prq_hook = conf__prq_hook;
	c->v.prq_opaque = c;
	a = viommu__add_endpoint(&c->v, EP_A, &want, NULL);
	e = viommu__add_endpoint(&c->v, EP_EMUL, &want, NULL);
	EXPECT(a && e, "add_endpoint");
	EXPECT(a->dev_id == c->a->dev_id, "dev_id %u, want %u", a->dev_id,
	       c->a->dev_id);
	EXPECT(a->caps.pasid_bits == 16 && a->caps.page_req &&
	       a->caps.formats == want.formats,
	       "host device caps: pasid %u formats 0x%x page_req %d",
	       a->caps.pasid_bits, a->caps.formats, a->caps.page_req);
	EXPECT(!e->caps.pasid_bits && !e->caps.page_req && !e->dev_id,
	       "emulated endpoint offered stage 1");
	relay__map_device(c->relay, a->dev_id, EP_A);
	relay__map_device(c->relay, c->b->dev_id, EP_B);
	return true;
}

static bool case_domain_shadow(struct conf *c, char *why)
{
	u64 end = CONF_DOM_IOVA + 16 * SZ_4K - 1;
	u8 st;
	int ret;

	st = conf__core(c, (struct conf_core){
		.op = CC_ATTACH, .dom = DOM, .ep = EP_A });
	EXPECT(st == VIRTIO_IOMMU_S_OK, "ATTACH: status %u", st);
	EXPECT(c->a->dom == DOM && c->a->rid_pt != c->be.gpa_ioas &&
	       c->a->rid_pt != c->be.blocked_ioas &&
	       c->a->rid_pt != c->a->parent, "RID not on a shadow IOAS");
	st = conf__core(c, (struct conf_core){
		.op = CC_MAP, .dom = DOM, .a = CONF_DOM_IOVA, .b = end,
		.c = CONF_RAM1, .flags = VIRTIO_IOMMU_MAP_F_READ |
		VIRTIO_IOMMU_MAP_F_WRITE });
	EXPECT(st == VIRTIO_IOMMU_S_OK, "MAP: status %u", st);
	ret = iommufd__ioas_map(&c->ifd, c->a->rid_pt, CONF_DOM_IOVA, c->ram,
				SZ_4K, IOFD_IOAS_MAP_READABLE);
	EXPECT(ret, "the guest's mapping is not in the shadow IOAS");
	/* A peer device's BAR cannot be shadowed: refused, not dropped. */
	st = conf__core(c, (struct conf_core){
		.op = CC_MAP, .dom = DOM, .a = CONF_DOM_IOVA + SZ_1M,
		.b = CONF_DOM_IOVA + SZ_1M + SZ_4K - 1, .c = 0xd0000000ULL,
		.flags = VIRTIO_IOMMU_MAP_F_WRITE | VIRTIO_IOMMU_MAP_F_MMIO });
	EXPECT(st != VIRTIO_IOMMU_S_OK, "MMIO MAP accepted");
	st = conf__core(c, (struct conf_core){
		.op = CC_UNMAP, .dom = DOM, .a = CONF_DOM_IOVA, .b = end });
	EXPECT(st == VIRTIO_IOMMU_S_OK, "UNMAP: status %u", st);
	ret = iommufd__ioas_map(&c->ifd, c->a->rid_pt, CONF_DOM_IOVA, c->ram,
				SZ_4K, IOFD_IOAS_MAP_READABLE);
	EXPECT(!ret, "UNMAP left the shadow mapping: %s", conf__err(ret));
	ret = iommufd__ioas_unmap(&c->ifd, c->a->rid_pt, CONF_DOM_IOVA, SZ_4K,
				  NULL);
	EXPECT(!ret, "IOAS_UNMAP: %s", conf__err(ret));
	return true;
}

/* The kernel's fault FD directly (before the relay owns it): records,
 * cookies, and a write that stops at a forged cookie. */
static bool case_fault_fd_short_write(struct conf *c, char *why)
{
	struct iofd_hwpt_selftest st = { IOFD_TEST_IOTLB_DEFAULT };
	struct iommufd_hwpt_args a = {
		.dev_id = c->b->dev_id, .pt_id = c->b->parent,
		.flags = IOFD_HWPT_FAULT_ID_VALID, .fault_id = c->be.fault_id,
		.data_type = IOFD_HWPT_DATA_SELFTEST, .data = &st,
		.data_len = sizeof(st),
	};
	struct prq_host_fault f[4];
	struct prq_host_resp r[3];
	struct pollfd p = { .fd = c->be.fault_fd, .events = POLLIN };
	u32 hwpt, pt;
	ssize_t n;
	int ret;

	ret = iommufd__hwpt_alloc(&c->ifd, &a, &hwpt);
	EXPECT(!ret, "nested HWPT: %s", conf__err(ret));
	pt = hwpt;
	ret = iommufd__test_mock_replace(&c->ifd, c->b->stdev_id, &pt);
	EXPECT(!ret && pt == hwpt, "replace: %s", conf__err(ret));
	ret = iommufd__destroy(&c->ifd, hwpt);
	EXPECT(ret == -EBUSY, "DESTROY of an attached HWPT: %s",
	       conf__err(ret));
	for (u32 i = 0; i < 2; i++) {
		ret = iommufd__test_trigger_iopf(&c->ifd, c->b->dev_id, 7,
						 1 + i, IOMMU_PGFAULT_PERM_READ,
						 0x40000000ULL + i * SZ_4K);
		EXPECT(!ret, "TRIGGER_IOPF: %s", conf__err(ret));
	}
	EXPECT(poll(&p, 1, 2000) == 1, "no fault queued within 2 s (IOMMU_IOPF built in?)");
	n = read(c->be.fault_fd, f, sizeof(f));
	EXPECT(n == 2 * (ssize_t)sizeof(f[0]), "read %zd bytes, want 80", n);
	EXPECT(f[0].dev_id == c->b->dev_id && f[0].pasid == 7 &&
	       f[0].grpid == 1 && f[1].grpid == 2 &&
	       (f[0].flags & IOMMU_PGFAULT_FLAGS_KNOWN) ==
	       (IOMMU_PGFAULT_FLAGS_PASID_VALID | IOMMU_PGFAULT_FLAGS_LAST_PAGE) &&
	       f[0].cookie && f[0].cookie != f[1].cookie &&
	       f[1].addr == 0x40001000ULL,
	       "records: dev %u pasid %u grp %u/%u flags 0x%x cookies %u/%u",
	       f[0].dev_id, f[0].pasid, f[0].grpid, f[1].grpid, f[0].flags,
	       f[0].cookie, f[1].cookie);
	n = read(c->be.fault_fd, f, sizeof(f));
	EXPECT(n == 0, "read after draining: %zd", n);
	r[0] = (struct prq_host_resp){ f[0].cookie, IOMMUFD_PAGE_RESP_SUCCESS };
	r[1] = (struct prq_host_resp){ 0xfffffff0U, IOMMUFD_PAGE_RESP_SUCCESS };
	r[2] = (struct prq_host_resp){ f[1].cookie, IOMMUFD_PAGE_RESP_SUCCESS };
	n = write(c->be.fault_fd, r, sizeof(r));
	EXPECT(n == sizeof(r[0]), "write {good, forged, good}: %zd, want 8",
	       n);
	n = write(c->be.fault_fd, &r[2], sizeof(r[2]));
	EXPECT(n == sizeof(r[2]),
	       "the entry after the forged one was answered too (%zd)", n);
	n = write(c->be.fault_fd, &r[0], sizeof(r[0]));
	EXPECT(n < 0 && errno == EINVAL, "second answer to a cookie: %zd", n);
	pt = c->b->parent;
	ret = iommufd__test_mock_replace(&c->ifd, c->b->stdev_id, &pt);
	EXPECT(!ret, "replace back: %s", conf__err(ret));
	ret = iommufd__destroy(&c->ifd, hwpt);
	EXPECT(!ret, "DESTROY: %s", conf__err(ret));
	return true;
}

static bool case_relay_start(struct conf *c, char *why)
{
	int ret = relay__start(c->relay);

	EXPECT(!ret, "relay__start: %s", conf__err(ret));
	c->relay_started = true;
	return true;
}

static bool case_attach_table(struct conf *c, char *why)
{
	u64 inv0 = c->be.stats.inval_ioctls;
	u32 h;
	u8 st;
	int ret;

	st = conf__table(c, EP_A, 1, CONF_RAM0 + 0x1000);
	EXPECT(st == VIRTIO_IOMMU_S_OK, "ATTACH_TABLE: status %u", st);
	h = iommufd_be__nested_hwpt(&c->be, EP_A, 1);
	EXPECT(h && c->a->rid_pt == h, "nested HWPT %u, RID on %u", h,
	       c->a->rid_pt);
	/* The core flushes the new table's PASID cache: the mock's slots
	 * are zero afterwards, which also shows the HWPT is nested. */
	for (u32 s = 0; s < IOFD_MOCK_IOTLB_NUM; s++) {
		ret = iommufd__test_check_iotlb(&c->ifd, h, s, 0);
		EXPECT(!ret, "slot %u not flushed: %s", s, conf__err(ret));
	}
	EXPECT(c->be.stats.inval_ioctls == inv0 + 1,
	       "%llu HWPT_INVALIDATE calls, want 1",
	       (unsigned long long)(c->be.stats.inval_ioctls - inv0));
	ret = iommufd__destroy(&c->ifd, h);
	EXPECT(ret == -EBUSY, "DESTROY of the attached table: %s",
	       conf__err(ret));
	st = conf__table(c, EP_A, 2, CONF_RAM0 + 0x2000);
	EXPECT(st == VIRTIO_IOMMU_S_UNSUPP,
	       "a second PASID on a RID-only host: status %u", st);
	st = conf__core(c, (struct conf_core){
		.op = CC_ATTACH, .dom = DOM, .ep = EP_EMUL });
	EXPECT(st == VIRTIO_IOMMU_S_OK, "ATTACH of the emulated endpoint: status %u",
	       st);
	st = conf__table(c, EP_EMUL, 1, CONF_RAM0 + 0x2000);
	EXPECT(st == VIRTIO_IOMMU_S_UNSUPP,
	       "a table for an endpoint without host stage 1: status %u", st);
	return true;
}

static bool conf__slots(struct conf *c, u32 h, const u32 want[4], char *why)
{
	for (u32 s = 0; s < IOFD_MOCK_IOTLB_NUM; s++) {
		int ret = iommufd__test_check_iotlb(&c->ifd, h, s, want[s]);

		EXPECT(!ret, "slot %u != 0x%x", s, want[s]);
	}
	return true;
}

/* The backend's ops on their own (device B): the table descriptor in the
 * HWPT data, invalidation mapped onto the mock's IOTLB slots. */
static bool case_backend_table_inval(struct conf *c, char *why)
{
	struct viommu_endpoint ep = { .id = EP_B };
	struct s1_desc d = { .root_gpa = CONF_RAM1 + 0x5000, .levels = 4 };
	u32 v = iommufd_be__mock_iotlb(&d);
	struct viommu_inval inv[3] = {
		{ .scope = VSVA_INV_S_ADDR, .endpoint = EP_B, .pasid = 5,
		  .addr = 0x7f0000001000ULL, .nr_pages = 1 },
		{ .scope = VSVA_INV_S_ADDR, .endpoint = EP_B, .pasid = 5,
		  .addr = 0x7f0000006000ULL, .nr_pages = 1, .leaf = true },
		{ .scope = VSVA_INV_S_PASID, .endpoint = EP_B, .pasid = 6 },
	};
	struct iommufd_be_drain dr;
	int err[3] = { -1, -1, -1 };
	u64 inv0;
	u32 h;
	int ret;

	ret = iommufd_be_ops.attach_table(&c->be, &ep, 5, &d, false);
	EXPECT(!ret, "attach_table: %s", conf__err(ret));
	h = iommufd_be__nested_hwpt(&c->be, EP_B, 5);
	EXPECT(h && c->b->rid_pt == h, "not attached");
	if (!conf__slots(c, h, (const u32[4]){ v, v, v, v }, why))
		return false;
	ret = iommufd__test_check_iotlb(&c->ifd, h, 0, v + 1);
	EXPECT(ret == -EINVAL, "MD_CHECK_IOTLB cannot fail: %s",
	       conf__err(ret));

	inv0 = c->be.stats.inval_ioctls;
	iommufd_be_ops.invalidate(&c->be, inv, 3, err);
	EXPECT(!err[0] && !err[1] && !err[2], "errors %d %d %d", err[0],
	       err[1], err[2]);
	EXPECT(c->be.stats.inval_ioctls == inv0 + 1,
	       "%llu HWPT_INVALIDATE calls for one HWPT, want 1",
	       (unsigned long long)(c->be.stats.inval_ioctls - inv0));
	if (!conf__slots(c, h, (const u32[4]){ v, 0, 0, v }, why))
		return false;
	inv[0] = (struct viommu_inval){ .scope = VSVA_INV_S_PASID,
					.endpoint = EP_B, .pasid = 5 };
	iommufd_be_ops.invalidate(&c->be, inv, 1, err);
	EXPECT(!err[0], "PASID scope: %d", err[0]);
	if (!conf__slots(c, h, (const u32[4]){ 0, 0, 0, 0 }, why))
		return false;

	iommufd_be_ops.detach_table(&c->be, &ep, 5);
	iommufd_be__drain(&c->be, EP_B, &dr);
	EXPECT(dr.kind == IOMMUFD_DRAIN_HOST_ANSWERED &&
	       dr.pasid == PRQ_ALL_PASIDS, "drain %d pasid 0x%x", dr.kind,
	       dr.pasid);
	ret = iommufd__test_check_iotlb(&c->ifd, h, 0, 0);
	EXPECT(ret == -ENOENT, "detached table not destroyed: %s",
	       conf__err(ret));
	EXPECT(c->b->rid_pt == c->b->dom_pt, "RID not back on its domain");
	return true;
}

/* The kernel's entry_num: how far a batch got before the bad entry. */
static bool case_invalidate_entry_num(struct conf *c, char *why)
{
	struct iofd_hwpt_selftest st = { 0x1234 };
	struct iommufd_hwpt_args a = {
		.dev_id = c->b->dev_id, .pt_id = c->b->parent,
		.data_type = IOFD_HWPT_DATA_SELFTEST, .data = &st,
		.data_len = sizeof(st),
	};
	struct iofd_hwpt_invalidate_selftest e[3] = {
		{ 0, 1 }, { 0, 7 }, { 0, 2 },
	};
	u32 h, done = 99;
	int ret;

	ret = iommufd__hwpt_alloc(&c->ifd, &a, &h);
	EXPECT(!ret, "nested HWPT: %s", conf__err(ret));
	ret = iommufd__hwpt_invalidate(&c->ifd, h,
				       IOFD_HWPT_INVALIDATE_DATA_SELFTEST, e,
				       sizeof(e[0]), 0, &done);
	EXPECT(!ret, "entry_num 0 (type probe): %s", conf__err(ret));
	ret = iommufd__hwpt_invalidate(&c->ifd, h,
				       IOFD_HWPT_INVALIDATE_DATA_SELFTEST, e,
				       sizeof(e[0]), 3, &done);
	EXPECT(ret == -EINVAL && done == 1, "bad middle entry: %s, done %u",
	       conf__err(ret), done);
	if (!conf__slots(c, h, (const u32[4]){ 0x1234, 0, 0x1234, 0x1234 },
			 why))
		return false;
	ret = iommufd__destroy(&c->ifd, h);
	EXPECT(!ret, "DESTROY: %s", conf__err(ret));
	return true;
}

static bool case_core_invalidate(struct conf *c, char *why)
{
	struct virtio_iommu_inv_entry e[3] = {
		{ .scope = VSVA_INV_S_ADDR, .flags = VSVA_INV_F_ENDPOINT,
		  .id = EP_A, .pasid = 1, .addr = 0x2000, .nr_pages = 1 },
		{ .scope = VSVA_INV_S_PASID, .flags = VSVA_INV_F_ENDPOINT,
		  .id = EP_A, .pasid = 1 },
		{ .scope = 9, .id = DOM, .pasid = 1 },
	};
	u8 status[3];
	u64 inv0 = c->be.stats.inval_ioctls;
	u64 ent0 = c->be.stats.inval_entries;
	u8 st;

	st = conf__core(c, (struct conf_core){
		.op = CC_INVAL, .inv = e, .nr = 3, .status = status });
	EXPECT(status[0] == VIRTIO_IOMMU_S_OK &&
	       status[1] == VIRTIO_IOMMU_S_OK &&
	       status[2] == VIRTIO_IOMMU_S_INVAL && st == VIRTIO_IOMMU_S_INVAL,
	       "statuses %u %u %u (first %u)", status[0], status[1],
	       status[2], st);
	EXPECT(c->be.stats.inval_ioctls == inv0 + 1 &&
	       c->be.stats.inval_entries == ent0 + 2,
	       "%llu ioctls, %llu entries; want 1 ioctl with 2 entries",
	       (unsigned long long)(c->be.stats.inval_ioctls - inv0),
	       (unsigned long long)(c->be.stats.inval_entries - ent0));
	return true;
}

static const u32 storm_pasids[] = { 0, 1, 2, 3, 0x1234 };

static bool case_iopf_storm(struct conf *c, char *why)
{
	struct relay_stats s0, st;
	u32 base = conf__nr_recs(c), tags_seen = 0;
	static bool seen[CONF_STORM];
	int ret;

	conf__stats(c, &s0);
	conf__set_hold(c, false);
	memset(seen, 0, sizeof(seen));
	for (u32 i = 0; i < CONF_STORM; i++) {
		u32 pasid = storm_pasids[i % ARRAY_SIZE(storm_pasids)];

		ret = iommufd__test_trigger_iopf(&c->ifd, c->a->dev_id, pasid,
						 i % 512,
						 IOMMU_PGFAULT_PERM_READ |
						 (i & 1 ? IOMMU_PGFAULT_PERM_WRITE : 0),
						 0x7f0000000000ULL + i * SZ_4K);
		EXPECT(!ret, "TRIGGER_IOPF %u: %s", i, conf__err(ret));
	}
	EXPECT(conf__wait_recs(c, base + CONF_STORM),
	       "%u of %u page requests reached the guest in %u ms",
	       conf__nr_recs(c) - base, CONF_STORM, CONF_WAIT_MS);
	for (u32 k = base; k < base + CONF_STORM; k++) {
		const struct virtio_iommu_page_req *r = &c->recs[k];
		u32 i = (u32)((r->address - 0x7f0000000000ULL) / SZ_4K);
		u32 pasid = storm_pasids[i % ARRAY_SIZE(storm_pasids)];
		u32 want = VSVA_PRQ_F_LAST | VSVA_PRQ_F_READ |
			   (i & 1 ? VSVA_PRQ_F_WRITE : 0) |
			   (pasid ? VSVA_PRQ_F_PASID_VALID : 0);

		EXPECT(i < CONF_STORM && !seen[i], "record %u: address 0x%llx",
		       k, (unsigned long long)r->address);
		seen[i] = true;
		EXPECT(r->endpoint == EP_A && r->pasid == pasid &&
		       r->group == i % 512 && r->flags == want && r->tag,
		       "record %u: ep 0x%x pasid %u group %u flags 0x%x", i,
		       r->endpoint, r->pasid, r->group, r->flags);
		tags_seen++;
	}
	EXPECT(conf__wait_written(c, s0.writes,
				  s0.prq.answered_by_guest + CONF_STORM, &st),
	       "answers not written: %llu of %u",
	       (unsigned long long)(st.prq.answered_by_guest -
				    s0.prq.answered_by_guest), CONF_STORM);
	EXPECT(st.groups_in - s0.groups_in == CONF_STORM &&
	       st.refused_by_host == s0.refused_by_host &&
	       st.write_errors == s0.write_errors,
	       "groups %llu, refused %llu, write errors %llu",
	       (unsigned long long)(st.groups_in - s0.groups_in),
	       (unsigned long long)(st.refused_by_host - s0.refused_by_host),
	       (unsigned long long)(st.write_errors - s0.write_errors));
	snprintf(why, WHY_LEN, "%u groups over %zu PASIDs, %llu reads, %llu writes",
		 tags_seen, ARRAY_SIZE(storm_pasids),
		 (unsigned long long)(st.reads - s0.reads),
		 (unsigned long long)(st.writes - s0.writes));
	return true;
}

static void conf__drop_fn(struct conf *c, void *arg)
{
	relay__drop(c->relay, EP_A, *(u32 *)arg, PRQ_AUTO_REPLACE, false);
}

/*
 * A stale cookie reaches the host: the host auto-answers behind vsva's
 * back (the device's attachment replaced without the core), then the guest
 * answers a new group and the stale one in one batch.  The kernel takes
 * the first and refuses the second (a short write); the relay counts one
 * refusal and answers nothing else.
 */
static bool case_relay_short_write(struct conf *c, char *why)
{
	struct relay_stats s0, st;
	struct conf_answer ans = { .n = 2 };
	u32 base = conf__nr_recs(c), h = c->a->rid_pt, pt;
	u64 end;
	int ret;

	conf__set_hold(c, true);
	conf__stats(c, &s0);
	for (u32 i = 0; i < 2; i++) {
		ret = iommufd__test_trigger_iopf(&c->ifd, c->a->dev_id, 1 + i,
						 20 + i, IOMMU_PGFAULT_PERM_READ,
						 0x50000000ULL + i * SZ_4K);
		EXPECT(!ret, "TRIGGER_IOPF: %s", conf__err(ret));
	}
	EXPECT(conf__wait_recs(c, base + 2), "groups not delivered");
	pt = c->a->parent;
	ret = iommufd__test_mock_replace(&c->ifd, c->a->stdev_id, &pt);
	EXPECT(!ret, "replace behind vsva: %s", conf__err(ret));
	pt = h;
	ret = iommufd__test_mock_replace(&c->ifd, c->a->stdev_id, &pt);
	EXPECT(!ret, "replace back: %s", conf__err(ret));
	ret = iommufd__test_trigger_iopf(&c->ifd, c->a->dev_id, 3, 22,
					 IOMMU_PGFAULT_PERM_READ,
					 0x50002000ULL);
	EXPECT(!ret, "TRIGGER_IOPF: %s", conf__err(ret));
	EXPECT(conf__wait_recs(c, base + 3), "third group not delivered");
	/* New group first, then the stale one (its cookie not reused). */
	ans.idx[0] = base + 2;
	ans.idx[1] = base + 1;
	conf__on_relay(c, conf__answer_fn, &ans);
	EXPECT(ans.st[0] == VIRTIO_IOMMU_S_OK && ans.st[1] == VIRTIO_IOMMU_S_OK,
	       "PAGE_RESP statuses %u %u", ans.st[0], ans.st[1]);
	end = conf__ms() + CONF_WAIT_MS;
	do {
		usleep(2000);
		conf__stats(c, &st);
	} while (st.refused_by_host == s0.refused_by_host &&
		 conf__ms() < end);
	EXPECT(st.refused_by_host == s0.refused_by_host + 1 &&
	       st.write_errors == s0.write_errors,
	       "refused by host %llu (want 1), write errors %llu",
	       (unsigned long long)(st.refused_by_host - s0.refused_by_host),
	       (unsigned long long)(st.write_errors - s0.write_errors));
	/* The first group's tag names a cookie the host gave the third
	 * group: vsva must never send it.  Drop it as vsva's hook would. */
	conf__on_relay(c, conf__drop_fn, &(u32){ 1 });
	return true;
}

static bool case_detach_outstanding(struct conf *c, char *why)
{
	struct relay_stats s0, st;
	struct conf_answer ans = { .n = 2 };
	u32 base = conf__nr_recs(c);
	u32 h = iommufd_be__nested_hwpt(&c->be, EP_A, 1);
	u8 s;
	int ret;

	conf__set_hold(c, true);
	conf__stats(c, &s0);
	ret = iommufd__test_trigger_iopf(&c->ifd, c->a->dev_id, 1, 30,
					 IOMMU_PGFAULT_PERM_WRITE,
					 0x60000000ULL);
	EXPECT(!ret, "TRIGGER_IOPF: %s", conf__err(ret));
	ret = iommufd__test_trigger_iopf(&c->ifd, c->a->dev_id, 0, 31,
					 IOMMU_PGFAULT_PERM_READ,
					 0x60001000ULL);
	EXPECT(!ret, "TRIGGER_IOPF: %s", conf__err(ret));
	EXPECT(conf__wait_recs(c, base + 2), "groups not delivered");
	s = conf__core(c, (struct conf_core){
		.op = CC_UNTABLE, .ep = EP_A, .pasid = 1 });
	EXPECT(s == VIRTIO_IOMMU_S_OK, "DETACH_TABLE: status %u", s);
	EXPECT(!iommufd_be__nested_hwpt(&c->be, EP_A, 1) &&
	       c->a->rid_pt == c->a->dom_pt, "table still attached");
	ret = iommufd__test_check_iotlb(&c->ifd, h, 0, 0);
	EXPECT(ret == -ENOENT, "detached HWPT %u not destroyed: %s", h,
	       conf__err(ret));
	conf__stats(c, &st);
	EXPECT(st.prq.answered_by_vsva[PRQ_AUTO_DETACH] -
	       s0.prq.answered_by_vsva[PRQ_AUTO_DETACH] == 2,
	       "%llu tags dropped for the detach, want 2",
	       (unsigned long long)(st.prq.answered_by_vsva[PRQ_AUTO_DETACH] -
				    s0.prq.answered_by_vsva[PRQ_AUTO_DETACH]));
	/* The guest answers late: refused, counted, nothing written. */
	ans.idx[0] = base;
	ans.idx[1] = base + 1;
	conf__on_relay(c, conf__answer_fn, &ans);
	EXPECT(ans.st[0] == VIRTIO_IOMMU_S_NOENT &&
	       ans.st[1] == VIRTIO_IOMMU_S_NOENT,
	       "late answers: statuses %u %u (want NOENT)", ans.st[0],
	       ans.st[1]);
	usleep(20000);
	conf__stats(c, &st);
	EXPECT(st.prq.late_answers - s0.prq.late_answers == 2 &&
	       st.refused_by_host == s0.refused_by_host &&
	       st.writes == s0.writes,
	       "late %llu, refused %llu, writes %llu",
	       (unsigned long long)(st.prq.late_answers - s0.prq.late_answers),
	       (unsigned long long)(st.refused_by_host - s0.refused_by_host),
	       (unsigned long long)(st.writes - s0.writes));
	return true;
}

static bool case_replace_table(struct conf *c, char *why)
{
	struct relay_stats s0, st;
	struct conf_answer ans = { .n = 1 };
	u32 base, h1, h2;
	u8 s;
	int ret;

	s = conf__table(c, EP_A, 1, CONF_RAM0 + 0x3000);
	EXPECT(s == VIRTIO_IOMMU_S_OK, "ATTACH_TABLE: status %u", s);
	h1 = iommufd_be__nested_hwpt(&c->be, EP_A, 1);
	conf__set_hold(c, true);
	conf__stats(c, &s0);
	base = conf__nr_recs(c);
	ret = iommufd__test_trigger_iopf(&c->ifd, c->a->dev_id, 1, 40,
					 IOMMU_PGFAULT_PERM_READ,
					 0x70000000ULL);
	EXPECT(!ret, "TRIGGER_IOPF: %s", conf__err(ret));
	EXPECT(conf__wait_recs(c, base + 1), "group not delivered");
	s = conf__table(c, EP_A, 1, CONF_RAM0 + 0x4000);
	EXPECT(s == VIRTIO_IOMMU_S_OK, "replacing ATTACH_TABLE: status %u", s);
	h2 = iommufd_be__nested_hwpt(&c->be, EP_A, 1);
	EXPECT(h2 && h2 != h1 && c->a->rid_pt == h2, "HWPT %u -> %u, RID %u",
	       h1, h2, c->a->rid_pt);
	ret = iommufd__test_check_iotlb(&c->ifd, h1, 0, 0);
	EXPECT(ret == -ENOENT, "old HWPT not destroyed: %s", conf__err(ret));
	conf__stats(c, &st);
	EXPECT(st.prq.answered_by_vsva[PRQ_AUTO_REPLACE] -
	       s0.prq.answered_by_vsva[PRQ_AUTO_REPLACE] == 1,
	       "tags dropped for the replace: %llu",
	       (unsigned long long)(st.prq.answered_by_vsva[PRQ_AUTO_REPLACE] -
				    s0.prq.answered_by_vsva[PRQ_AUTO_REPLACE]));
	ans.idx[0] = base;
	conf__on_relay(c, conf__answer_fn, &ans);
	EXPECT(ans.st[0] == VIRTIO_IOMMU_S_NOENT, "late answer: status %u",
	       ans.st[0]);
	/* The new table takes page requests. */
	conf__set_hold(c, false);
	base = conf__nr_recs(c);
	for (u32 i = 0; i < 8; i++) {
		ret = iommufd__test_trigger_iopf(&c->ifd, c->a->dev_id, 1,
						 50 + i,
						 IOMMU_PGFAULT_PERM_READ,
						 0x70100000ULL + i * SZ_4K);
		EXPECT(!ret, "TRIGGER_IOPF: %s", conf__err(ret));
	}
	EXPECT(conf__wait_recs(c, base + 8), "groups after the replace");
	EXPECT(conf__wait_written(c, st.writes,
				  st.prq.answered_by_guest + 8, &s0),
	       "answers after the replace not written");
	EXPECT(s0.refused_by_host == st.refused_by_host,
	       "host refused answers after the replace");
	return true;
}

/* Page requests raised in bursts, each delivered before the next: the
 * relay's poll and read go round many times. */
static bool case_iopf_paced(struct conf *c, char *why)
{
	struct relay_stats s0, st;
	u32 base = conf__nr_recs(c);
	int ret;

	conf__set_hold(c, false);
	conf__stats(c, &s0);
	for (u32 b = 0; b < 32; b++) {
		for (u32 i = 0; i < 8; i++) {
			ret = iommufd__test_trigger_iopf(&c->ifd, c->a->dev_id,
							 1 + (i & 1),
							 (b * 8 + i) % 512,
							 IOMMU_PGFAULT_PERM_READ,
							 0x7e0000000000ULL +
							 (b * 8 + i) * SZ_4K);
			EXPECT(!ret, "TRIGGER_IOPF: %s", conf__err(ret));
		}
		EXPECT(conf__wait_recs(c, base + (b + 1) * 8),
		       "burst %u not delivered", b);
	}
	EXPECT(conf__wait_written(c, s0.writes,
				  s0.prq.answered_by_guest + 256, &st),
	       "answers not written");
	EXPECT(st.reads - s0.reads >= 8 && st.groups_in - s0.groups_in == 256 &&
	       st.refused_by_host == s0.refused_by_host,
	       "%llu reads, %llu groups, %llu refused",
	       (unsigned long long)(st.reads - s0.reads),
	       (unsigned long long)(st.groups_in - s0.groups_in),
	       (unsigned long long)(st.refused_by_host - s0.refused_by_host));
	snprintf(why, WHY_LEN, "256 groups in 32 bursts: %llu reads (%llu empty), %llu writes",
		 (unsigned long long)(st.reads - s0.reads),
		 (unsigned long long)(st.empty_reads - s0.empty_reads),
		 (unsigned long long)(st.writes - s0.writes));
	return true;
}

static bool case_teardown(struct conf *c, char *why)
{
	u32 gpa = c->be.gpa_ioas, fault = c->be.fault_id;
	u32 base = conf__nr_recs(c);
	struct relay_stats s0, st;
	u8 s;
	int ret;

	/* VM exit with requests outstanding: vsva answers them (INVALID)
	 * and the host takes every answer. */
	conf__set_hold(c, true);
	conf__stats(c, &s0);
	for (u32 i = 0; i < 3; i++) {
		ret = iommufd__test_trigger_iopf(&c->ifd, c->a->dev_id, 1,
						 60 + i,
						 IOMMU_PGFAULT_PERM_READ,
						 0x70200000ULL + i * SZ_4K);
		EXPECT(!ret, "TRIGGER_IOPF: %s", conf__err(ret));
	}
	EXPECT(conf__wait_recs(c, base + 3), "groups not delivered");
	relay__stop(c->relay);
	c->relay_started = false;
	relay__stats(c->relay, &st);
	EXPECT(st.prq.answered_by_vsva[PRQ_AUTO_VM_EXIT] -
	       s0.prq.answered_by_vsva[PRQ_AUTO_VM_EXIT] == 3 &&
	       st.refused_by_host == s0.refused_by_host &&
	       st.write_errors == s0.write_errors,
	       "VM exit: %llu answered by vsva, %llu refused, %llu write errors",
	       (unsigned long long)(st.prq.answered_by_vsva[PRQ_AUTO_VM_EXIT] -
				    s0.prq.answered_by_vsva[PRQ_AUTO_VM_EXIT]),
	       (unsigned long long)(st.refused_by_host - s0.refused_by_host),
	       (unsigned long long)(st.write_errors - s0.write_errors));

	s = conf__core(c, (struct conf_core){
		.op = CC_UNTABLE, .ep = EP_A, .pasid = 1 });
	EXPECT(s == VIRTIO_IOMMU_S_OK, "DETACH_TABLE: status %u", s);
	s = conf__core(c, (struct conf_core){
		.op = CC_DETACH, .dom = DOM, .ep = EP_A });
	EXPECT(s == VIRTIO_IOMMU_S_OK, "DETACH: status %u", s);
	EXPECT(c->a->rid_pt == c->be.blocked_ioas, "detached RID not blocked");
	c->v.prq_hook = NULL;
	viommu__free(&c->v);
	c->v_up = false;
	ret = iommufd_be__destroy(&c->be);
	c->be_up = false;
	EXPECT(!ret, "%d host calls failed in teardown", ret);
	ret = iommufd__destroy(&c->ifd, gpa);
	EXPECT(ret == -ENOENT, "stage-2 IOAS still there: %s", conf__err(ret));
	ret = iommufd__destroy(&c->ifd, fault);
	EXPECT(ret == -ENOENT, "fault object still there: %s",
	       conf__err(ret));
	snprintf(why, WHY_LEN, "relay: %llu groups, %llu by the guest, %llu late, %llu refused by host",
		 (unsigned long long)st.prq.groups,
		 (unsigned long long)st.prq.answered_by_guest,
		 (unsigned long long)st.prq.late_answers,
		 (unsigned long long)st.refused_by_host);
	return true;
}

struct conf_case {
	const char *name;
	bool (*fn)(struct conf *c, char *why);
	bool fatal;		/* later cases need it */
};

static const struct conf_case cases[] = {
	{ "ioas-map-guest-ram", case_ioas_map_guest_ram, true },
	{ "ioas-unmap-enoent", case_ioas_unmap },
	{ "fault-queue", case_fault_queue, true },
	{ "mock-device-nest-parent", case_mock_device, true },
	{ "mock-aperture", case_mock_aperture },
	{ "hwpt-alloc-rules", case_hwpt_alloc_rules },
	{ "ep-caps", case_ep_caps, true },
	{ "domain-shadow-map", case_domain_shadow },
	{ "fault-fd-short-write", case_fault_fd_short_write },
	{ "relay-start", case_relay_start, true },
	{ "attach-table-nested", case_attach_table },
	{ "backend-table-invalidate", case_backend_table_inval },
	{ "invalidate-entry-num", case_invalidate_entry_num },
	{ "core-invalidate-batch", case_core_invalidate },
	{ "iopf-storm", case_iopf_storm },
	{ "iopf-paced", case_iopf_paced },
	{ "relay-short-write", case_relay_short_write },
	{ "detach-with-faults", case_detach_outstanding },
	{ "replace-table", case_replace_table },
	{ "teardown-order", case_teardown },
};

static int conf__ram(struct conf *c)
{
	c->ram = mmap(NULL, 2 * CONF_RAM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c->ram == MAP_FAILED)
		return -errno;
	memset(c->ram, 0, 2 * CONF_RAM_SIZE);
	c->mem.regions[0] = (struct guest_mem_region){
		CONF_RAM0, CONF_RAM_SIZE, c->ram };
	c->mem.regions[1] = (struct guest_mem_region){
		CONF_RAM1, CONF_RAM_SIZE, c->ram + CONF_RAM_SIZE };
	c->mem.nr_regions = 2;
	c->mem.ram_size = 2 * CONF_RAM_SIZE;
	return 0;
}

int main(int argc, char **argv)
{
	static struct conf conf;
	struct conf *c = &conf;
	struct relay_config rc = {
		.mode = RELAY_URING, .guest = &conf_guest_ops, .g = c,
	};
	struct utsname u;
	char why[WHY_LEN];
	size_t i;
	int ret;

	if (argc > 1 && !strcmp(argv[1], "-v"))
		log_level = LOG_DEBUG;
	setvbuf(stdout, NULL, _IOLBF, 0);
	uname(&u);
	printf("vsva-conformance: iommufd backend on Linux %s\n", u.release);
	pthread_mutex_init(&c->lock, NULL);
	ret = conf__ram(c);
	if (!ret)
		ret = iommufd__open(&c->ifd, NULL);
	if (ret) {
		printf("FAIL open-iommufd: %s\n", strerror(-ret));
		printf("0 passed, 1 failed\n");
		return 1;
	}
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		memset(why, 0, sizeof(why));
		if (cases[i].fn(c, why)) {
			c->passed++;
			printf("PASS %s%s%s\n", cases[i].name,
			       why[0] ? ": " : "", why);
		} else {
			c->failed++;
			printf("FAIL %s: %s\n", cases[i].name, why);
			if (cases[i].fatal)
				break;
		}
		if (c->be_up && !c->relay) {
			rc.fd = iommufd_be__fault_fd(&c->be);
			ret = relay__create(&c->relay, &rc);
			if (ret) {
				printf("FAIL relay-create: %s\n",
				       strerror(-ret));
				c->failed++;
				break;
			}
		}
	}
	if (i < ARRAY_SIZE(cases))
		printf("(%zu cases not run)\n", ARRAY_SIZE(cases) - i - 1);
	if (c->relay_started)
		relay__stop(c->relay);
	if (c->v_up) {
		c->v.prq_hook = NULL;
		viommu__free(&c->v);
	}
	if (c->be_up)
		iommufd_be__destroy(&c->be);
	relay__destroy(c->relay);
	iommufd__close(&c->ifd);
	printf("%d passed, %d failed\n", c->passed, c->failed);
	return c->failed ? 1 : 0;
}
