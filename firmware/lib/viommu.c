// SPDX-License-Identifier: GPL-2.0
/* virtio-iommu driver: see viommu.h. */
#include <errno.h>
#include <string.h>

#include "console.h"
#include "cpu.h"
#include "pages.h"
#include "pci.h"
#include "tsc.h"
#include "viommu.h"

#define CFG(field)		offsetof(struct virtio_iommu_config, field)

#define CFG_GEN_TRIES		16
#define PROBE_REQ_LEN		sizeof(struct virtio_iommu_req_probe)
#define TAIL_LEN		sizeof(struct virtio_iommu_req_tail)

/* Largest INVALIDATE: head, nr, 256 entries, 256 statuses, tail. */
#define INV_MAX_LEN							\
	(sizeof(struct virtio_iommu_req_invalidate) +			\
	 VSVA_INV_MAX_ENTRIES * sizeof(struct virtio_iommu_inv_entry) + \
	 VSVA_INV_MAX_ENTRIES + TAIL_LEN)

#define vi_err(v, fmt, ...)						\
	printf("viommu %02x:%02x.%x: " fmt "\n", PCI_BUS((v)->vd.bdf),	\
	       PCI_DEV((v)->vd.bdf), PCI_FN((v)->vd.bdf), ##__VA_ARGS__)

int viommu__find(const void *fdt, struct dt_pci_dev *dev)
{
	u16 bdf;

	if (!dt__pci_find(fdt, "virtio-iommu", dev))
		return 0;
	if (pci__scan(VIRTIO_PCI_VENDOR, VIOMMU_PCI_DEVICE, &bdf))
		return -ENOENT;
	*dev = (struct dt_pci_dev){ .node = -1, .bdf = bdf, .name = "",
				    .vendor = VIRTIO_PCI_VENDOR,
				    .device = VIOMMU_PCI_DEVICE };
	return 0;
}

bool viommu__has(const struct viommu *v, unsigned int feature)
{
	return virtio_pci__has_feature(&v->vd, feature);
}

int viommu__read_config(struct viommu *v)
{
	const struct virtio_dev *vd = &v->vd;
	struct virtio_iommu_config *c = &v->cfg;

	for (int i = 0; i < CFG_GEN_TRIES; i++) {
		u8 gen = virtio_pci__config_generation(vd);

		*c = (struct virtio_iommu_config){ 0 };
		c->page_size_mask = virtio_pci__config_read64(vd,
						CFG(page_size_mask));
		c->input_range.start = virtio_pci__config_read64(vd,
						CFG(input_range.start));
		c->input_range.end = virtio_pci__config_read64(vd,
						CFG(input_range.end));
		c->domain_range.start = virtio_pci__config_read32(vd,
						CFG(domain_range.start));
		c->domain_range.end = virtio_pci__config_read32(vd,
						CFG(domain_range.end));
		c->probe_size = virtio_pci__config_read32(vd, CFG(probe_size));
		c->bypass = virtio_pci__config_read8(vd, CFG(bypass));
		if (gen != virtio_pci__config_generation(vd))
			continue;
		/* Without the feature any value is valid (the spec). */
		if (!viommu__has(v, VIRTIO_IOMMU_F_INPUT_RANGE))
			c->input_range = (struct virtio_iommu_range_64){
				0, ~0ULL };
		if (!viommu__has(v, VIRTIO_IOMMU_F_DOMAIN_RANGE))
			c->domain_range = (struct virtio_iommu_range_32){
				0, ~0U };
		return 0;
	}
	vi_err(v, "configuration keeps changing under us");
	return -EAGAIN;
}

int viommu__set_bypass(struct viommu *v, bool on)
{
	if (!viommu__has(v, VIRTIO_IOMMU_F_BYPASS_CONFIG))
		return -EOPNOTSUPP;
	virtio_pci__config_write8(&v->vd, CFG(bypass), on);
	return viommu__read_config(v);
}

/* Makes an event (page-request) buffer available to the device again. */
static int post_event(struct viommu *v, struct virtio_iommu_fault *e)
{
	struct virtq_buf b = { .addr = e, .len = sizeof(*e),
			       .device_writes = true };

	memset(e, 0, sizeof(*e));
	return virtq__add(&v->evtq, &b, 1, e);
}

static int post_prq(struct viommu *v, struct virtio_iommu_page_req *r)
{
	struct virtq_buf b = { .addr = r, .len = sizeof(*r),
			       .device_writes = true };

	memset(r, 0, sizeof(*r));
	return virtq__add(&v->prq, &b, 1, r);
}

static int setup_queues(struct viommu *v)
{
	int ret;

	ret = virtio_pci__setup_queue(&v->vd, &v->reqq, VIOMMU_VQ_REQUEST,
				      VIOMMU_REQ_QUEUE_SIZE);
	if (ret)
		return ret;
	if (v->reqq.size < 2) {
		vi_err(v, "request queue of %u entries cannot hold a request",
		       v->reqq.size);
		return -EINVAL;
	}
	ret = virtio_pci__setup_queue(&v->vd, &v->evtq, VIOMMU_VQ_EVENT,
				      VIOMMU_EVT_BUFS);
	if (ret)
		return ret;
	if (viommu__has(v, VIRTIO_IOMMU_F_VSVA_PAGE_REQ)) {
		ret = virtio_pci__setup_queue(&v->vd, &v->prq,
					      VIOMMU_VQ_PAGE_REQ,
					      VIOMMU_PRQ_BUFS);
		if (ret)
			return ret;
		v->has_prq = true;
	}
	return 0;
}

/* Buffers may only be made available after DRIVER_OK (virtio 1.x 3.1.1). */
static int post_buffers(struct viommu *v)
{
	int ret = 0;

	for (u16 i = 0; !ret && i < MIN(VIOMMU_EVT_BUFS, v->evtq.size); i++)
		ret = post_event(v, &v->evt[i]);
	for (u16 i = 0; !ret && v->has_prq &&
	     i < MIN(VIOMMU_PRQ_BUFS, v->prq.size); i++)
		ret = post_prq(v, &v->prq_bufs[i]);
	if (ret)
		vi_err(v, "cannot post event buffers: %d", ret);
	return ret;
}

static int alloc_memory(struct viommu *v)
{
	u32 probe_len = PROBE_REQ_LEN + v->cfg.probe_size + TAIL_LEN;

	if (v->cfg.probe_size > VIOMMU_MAX_PROBE_SIZE) {
		vi_err(v, "probe_size %u is beyond reason", v->cfg.probe_size);
		return -EINVAL;
	}
	/* Room for the out part, 8-byte aligned, then the in part. */
	v->scratch_len = ALIGN_UP(MAX(INV_MAX_LEN, probe_len) + 8,
				  PAGE_SIZE);
	v->scratch = pages__alloc(v->scratch_len / PAGE_SIZE);
	v->evt = pages__alloc(1);
	v->prq_bufs = pages__alloc(1);
	if (!v->scratch || !v->evt || !v->prq_bufs) {
		vi_err(v, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

int viommu__init(struct viommu *v, u16 bdf)
{
	int ret;

	*v = (struct viommu){ 0 };
	ret = virtio_pci__init(&v->vd, bdf);
	if (ret)
		return ret;
	ret = virtio_pci__negotiate(&v->vd, VIOMMU_FEATURES);
	if (ret)
		return ret;
	ret = viommu__read_config(v);
	if (!ret)
		ret = alloc_memory(v);
	if (!ret)
		ret = setup_queues(v);
	if (!ret)
		ret = virtio_pci__driver_ok(&v->vd);
	if (!ret)
		ret = post_buffers(v);
	if (ret)
		virtio_pci__fail(&v->vd);
	return ret;
}

void viommu__reset(struct viommu *v)
{
	if (v->vd.common)
		virtio_pci__reset(&v->vd);
}

/* Submits scratch[0, out_len) and scratch[in_off, in_off + in_len). */
static int submit_scratch(struct viommu *v, u32 out_len, u32 in_off,
			  u32 in_len)
{
	struct virtq_buf bufs[2];
	void *token;
	int n = 0, ret;
	u32 len;

	v->used = 0;
	if (v->broken)
		return -EIO;
	if (out_len)
		bufs[n++] = (struct virtq_buf){ .addr = v->scratch,
						.len = out_len };
	if (in_len)
		bufs[n++] = (struct virtq_buf){ .addr = v->scratch + in_off,
						.len = in_len,
						.device_writes = true };
	ret = virtq__add(&v->reqq, bufs, n, v->scratch);
	if (ret)
		return ret;
	ret = virtq__wait(&v->reqq, &token, &len, VIOMMU_REQ_TIMEOUT_MS);
	if (ret) {
		vi_err(v, "request: %s", v->reqq.error);
		/* The chain is still the device's: no more requests. */
		v->broken = true;
		return ret == -ETIMEDOUT ? ret : -EIO;
	}
	if (token != v->scratch) {
		vi_err(v, "request: completion for a chain we did not queue");
		v->broken = true;
		return -EIO;
	}
	v->used = len;
	return 0;
}

int viommu__submit(struct viommu *v, const void *out, u32 out_len,
		   void *in, u32 in_len)
{
	u32 in_off = ALIGN_UP(out_len, 8);
	int ret;

	if ((!out_len && !in_len) || in_off > v->scratch_len ||
	    in_len > v->scratch_len - in_off)
		return -EINVAL;
	memcpy(v->scratch, out, out_len);
	memcpy(v->scratch + in_off, in, in_len);
	ret = submit_scratch(v, out_len, in_off, in_len);
	if (!ret)
		memcpy(in, v->scratch + in_off, in_len);
	return ret;
}

/* The request is in scratch[0, len); its last in_len bytes are writable. */
static int request_scratch(struct viommu *v, u32 len, u32 in_len)
{
	int ret;

	if (in_len < TAIL_LEN || in_len > len || len > v->scratch_len)
		return -EINVAL;
	memset(v->scratch + len - in_len, VIOMMU_POISON, in_len);
	ret = submit_scratch(v, len - in_len, len - in_len, in_len);
	if (ret)
		return ret;
	if (!v->used)
		return -ENODATA;
	if (v->used != in_len)
		return -EPROTO;
	return v->scratch[len - TAIL_LEN];
}

int viommu__request(struct viommu *v, void *req, u32 len, u32 in_len)
{
	int ret;

	if (len > v->scratch_len)
		return -EINVAL;
	memcpy(v->scratch, req, len);
	ret = request_scratch(v, len, in_len);
	if (ret != -EINVAL && ret != -EIO)
		memcpy(req, v->scratch, len);
	return ret;
}

int viommu__attach(struct viommu *v, u32 domain, u32 endpoint, u32 flags)
{
	struct virtio_iommu_req_attach r = {
		.head.type = VIRTIO_IOMMU_T_ATTACH,
		.domain = domain,
		.endpoint = endpoint,
		.flags = flags,
	};

	return viommu__request(v, &r, sizeof(r), sizeof(r.tail));
}

int viommu__detach(struct viommu *v, u32 domain, u32 endpoint)
{
	struct virtio_iommu_req_detach r = {
		.head.type = VIRTIO_IOMMU_T_DETACH,
		.domain = domain,
		.endpoint = endpoint,
	};

	return viommu__request(v, &r, sizeof(r), sizeof(r.tail));
}

int viommu__map(struct viommu *v, u32 domain, u64 virt_start, u64 virt_end,
		u64 phys_start, u32 flags)
{
	struct virtio_iommu_req_map r = {
		.head.type = VIRTIO_IOMMU_T_MAP,
		.domain = domain,
		.virt_start = virt_start,
		.virt_end = virt_end,
		.phys_start = phys_start,
		.flags = flags,
	};

	return viommu__request(v, &r, sizeof(r), sizeof(r.tail));
}

int viommu__unmap(struct viommu *v, u32 domain, u64 virt_start,
		  u64 virt_end)
{
	struct virtio_iommu_req_unmap r = {
		.head.type = VIRTIO_IOMMU_T_UNMAP,
		.domain = domain,
		.virt_start = virt_start,
		.virt_end = virt_end,
	};

	return viommu__request(v, &r, sizeof(r), sizeof(r.tail));
}

static u16 get16(const u8 *p)
{
	return p[0] | p[1] << 8;
}

int viommu__parse_probe(const u8 *props, u32 size, struct viommu_probe *p)
{
	struct virtio_iommu_probe_resv_mem rm;
	u32 off = 0;

	*p = (struct viommu_probe){ 0 };
	while (size - off >= sizeof(struct virtio_iommu_probe_property)) {
		u16 type = get16(props + off);
		u32 len = get16(props + off + 2);
		u32 total = sizeof(struct virtio_iommu_probe_property) + len;

		if (!type)			/* the end of the list */
			break;
		if (total > size - off)
			return -EBADMSG;
		if (type & ~VIRTIO_IOMMU_PROBE_T_MASK) {
			p->nr_ignored++;	/* reserved bits: ignore */
		} else if (type == VIRTIO_IOMMU_PROBE_T_RESV_MEM &&
			   total >= sizeof(rm)) {

			if (p->nr_resv == VIOMMU_MAX_RESV)
				return -EBADMSG;
			memcpy(&rm, props + off, sizeof(rm));
			p->resv[p->nr_resv++] = (struct viommu_resv){
				.subtype = rm.subtype,
				.start = rm.start,
				.end = rm.end,
			};
		} else if (type == VIRTIO_IOMMU_PROBE_T_VSVA &&
			   total >= sizeof(struct virtio_iommu_probe_vsva)) {
			memcpy(&p->vsva, props + off, sizeof(p->vsva));
			p->has_vsva = true;
		} else {
			p->nr_ignored++;
		}
		off += total;
	}
	p->end = off;
	p->rest_zero = true;
	for (u32 i = off; i < size; i++)
		if (props[i])
			p->rest_zero = false;
	return 0;
}

int viommu__probe(struct viommu *v, u32 endpoint, struct viommu_probe *p)
{
	struct virtio_iommu_req_probe *r = (void *)v->scratch;
	u32 in_len = v->cfg.probe_size + TAIL_LEN;
	int ret;

	memset(r, 0, sizeof(*r));
	r->head.type = VIRTIO_IOMMU_T_PROBE;
	r->endpoint = endpoint;
	ret = request_scratch(v, sizeof(*r) + in_len, in_len);
	if (ret == VIRTIO_IOMMU_S_OK &&
	    viommu__parse_probe(v->scratch + sizeof(*r), v->cfg.probe_size,
				p))
		return -EBADMSG;
	return ret;
}

int viommu__attach_table(struct viommu *v, u32 endpoint, u32 pasid,
			 u32 flags, int levels, u64 root)
{
	struct virtio_iommu_req_attach_table r = {
		.head.type = VIRTIO_IOMMU_T_ATTACH_TABLE,
		.endpoint = endpoint,
		.pasid = pasid,
		.flags = flags,
		.format = VSVA_S1_FORMAT_X86_64,
		.levels = levels,
		.root = root,
	};

	return viommu__request(v, &r, sizeof(r), sizeof(r.tail));
}

int viommu__detach_table(struct viommu *v, u32 endpoint, u32 pasid)
{
	struct virtio_iommu_req_detach_table r = {
		.head.type = VIRTIO_IOMMU_T_DETACH_TABLE,
		.endpoint = endpoint,
		.pasid = pasid,
	};

	return viommu__request(v, &r, sizeof(r), sizeof(r.tail));
}

int viommu__invalidate(struct viommu *v,
		       const struct virtio_iommu_inv_entry *entries, u32 nr,
		       u8 *status)
{
	struct virtio_iommu_req_invalidate *r = (void *)v->scratch;
	u32 out_len = sizeof(*r) + nr * sizeof(*entries);
	u32 in_len = ALIGN_UP(nr, 4) + TAIL_LEN;
	int ret;

	if (!nr || nr > VSVA_INV_MAX_ENTRIES)
		return -EINVAL;
	r->head = (struct virtio_iommu_req_head){
		.type = VIRTIO_IOMMU_T_INVALIDATE };
	r->nr = nr;
	memcpy(r + 1, entries, nr * sizeof(*entries));
	ret = request_scratch(v, out_len + in_len, in_len);
	if (ret >= 0)
		memcpy(status, v->scratch + out_len, in_len - TAIL_LEN);
	return ret;
}

int viommu__event_poll(struct viommu *v, struct virtio_iommu_fault *f)
{
	void *token;
	u32 len;
	int ret;

	ret = virtq__get_used(&v->evtq, &token, &len);
	if (ret <= 0) {
		if (ret)
			vi_err(v, "event queue: %s", v->evtq.error);
		return ret;
	}
	memcpy(f, token, sizeof(*f));
	if (post_event(v, token))
		vi_err(v, "event queue: cannot repost a buffer");
	if (len != sizeof(*f)) {
		v->events_bad++;
		return -EPROTO;
	}
	return 1;
}

int viommu__event_wait(struct viommu *v, struct virtio_iommu_fault *f,
		       u32 timeout_ms)
{
	u64 deadline = tsc__deadline(timeout_ms);
	int ret;

	while (!(ret = viommu__event_poll(v, f)) && !tsc__expired(deadline))
		cpu_relax();
	return ret;
}

int viommu__prq_poll(struct viommu *v, struct virtio_iommu_page_req *r)
{
	void *token;
	u32 len;
	int ret;

	if (!v->has_prq)
		return 0;
	ret = virtq__get_used(&v->prq, &token, &len);
	if (ret <= 0)
		return ret;
	memcpy(r, token, sizeof(*r));
	if (post_prq(v, token))
		vi_err(v, "page-request queue: cannot repost a buffer");
	return len == sizeof(*r) ? 1 : -EPROTO;
}

const char *viommu__status_str(int status)
{
	static const char *const names[] = {
		[VIRTIO_IOMMU_S_OK] = "OK",
		[VIRTIO_IOMMU_S_IOERR] = "IOERR",
		[VIRTIO_IOMMU_S_UNSUPP] = "UNSUPP",
		[VIRTIO_IOMMU_S_DEVERR] = "DEVERR",
		[VIRTIO_IOMMU_S_INVAL] = "INVAL",
		[VIRTIO_IOMMU_S_RANGE] = "RANGE",
		[VIRTIO_IOMMU_S_NOENT] = "NOENT",
		[VIRTIO_IOMMU_S_FAULT] = "FAULT",
		[VIRTIO_IOMMU_S_NOMEM] = "NOMEM",
	};

	if (status >= 0 && status < (int)ARRAY_SIZE(names))
		return names[status];
	switch (status) {
	case -ENODATA:
		return "unwritten (used length 0)";
	case -EPROTO:
		return "bad used length";
	case -ETIMEDOUT:
		return "timed out";
	case -EIO:
		return "queue broken";
	case -EBADMSG:
		return "malformed PROBE properties";
	case -EINVAL:
		return "bad request (driver)";
	}
	return status >= 0 ? "unknown status" : "error";
}

const char *viommu__fault_reason_str(u8 reason)
{
	switch (reason) {
	case VIRTIO_IOMMU_FAULT_R_UNKNOWN:
		return "UNKNOWN";
	case VIRTIO_IOMMU_FAULT_R_DOMAIN:
		return "DOMAIN";
	case VIRTIO_IOMMU_FAULT_R_MAPPING:
		return "MAPPING";
	case VSVA_FAULT_R_PASID_UNBOUND:
		return "PASID_UNBOUND";
	case VSVA_FAULT_R_S1_TABLE:
		return "S1_TABLE";
	case VSVA_FAULT_R_S1_CANONICAL:
		return "S1_CANONICAL";
	case VSVA_FAULT_R_S1_PERM:
		return "S1_PERM";
	}
	return "?";
}
