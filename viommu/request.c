// SPDX-License-Identifier: GPL-2.0
/*
 * Request decoding: the bytes a driver put on the requestq, checked and
 * turned into core operations; the status goes back in the tail.  A request
 * too short to hold its fields, or of a type the device does not know (or
 * whose feature was not negotiated), is returned unwritten (length 0), as
 * the spec requires.  Pure.
 */
#include <string.h>

#include <vsva/viommu.h>

static bool all_zero(const void *p, size_t n)
{
	const u8 *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

/* Sizes of the device-readable part (head .. tail) per fixed request. */
#define RD(t)	(sizeof(struct t) - sizeof(struct virtio_iommu_req_tail))

static size_t viommu__tail(u8 *out, u8 status)
{
	struct virtio_iommu_req_tail t = { .status = status };

	memcpy(out, &t, sizeof(t));
	return sizeof(t);
}

static u8 viommu__req_attach(struct viommu *v, const u8 *in)
{
	struct virtio_iommu_req_attach r;

	memcpy(&r, in, RD(virtio_iommu_req_attach));
	if (!all_zero(r.reserved, sizeof(r.reserved)))
		return VIRTIO_IOMMU_S_INVAL;
	return viommu__attach(v, r.domain, r.endpoint, r.flags);
}

static u8 viommu__req_detach(struct viommu *v, const u8 *in)
{
	struct virtio_iommu_req_detach r;

	/* The device must ignore reserved here. */
	memcpy(&r, in, RD(virtio_iommu_req_detach));
	return viommu__detach(v, r.domain, r.endpoint);
}

static u8 viommu__req_map(struct viommu *v, const u8 *in)
{
	struct virtio_iommu_req_map r;

	memcpy(&r, in, RD(virtio_iommu_req_map));
	return viommu__map(v, r.domain, r.virt_start, r.virt_end,
			   r.phys_start, r.flags);
}

static u8 viommu__req_unmap(struct viommu *v, const u8 *in)
{
	struct virtio_iommu_req_unmap r;

	memcpy(&r, in, RD(virtio_iommu_req_unmap));
	/* The spec lets the device refuse (and not unmap) on reserved != 0. */
	if (!all_zero(r.reserved, sizeof(r.reserved)))
		return VIRTIO_IOMMU_S_INVAL;
	return viommu__unmap(v, r.domain, r.virt_start, r.virt_end);
}

static u8 viommu__req_attach_table(struct viommu *v, const u8 *in)
{
	struct virtio_iommu_req_attach_table r;

	memcpy(&r, in, RD(virtio_iommu_req_attach_table));
	if (r.reserved0 || r.reserved1 ||
	    !all_zero(r.reserved, sizeof(r.reserved)))
		return VIRTIO_IOMMU_S_INVAL;
	return viommu__attach_table(v, r.endpoint, r.pasid, r.flags,
				    r.format, r.levels, r.root);
}

static u8 viommu__req_page_resp(struct viommu *v, const u8 *in)
{
	struct virtio_iommu_req_page_resp r;

	memcpy(&r, in, RD(virtio_iommu_req_page_resp));
	if (!v->page_resp)
		return VIRTIO_IOMMU_S_UNSUPP;
	/* Reserved bytes and every other field are the relay's to check. */
	return v->page_resp(v->prq_opaque, &r);
}

static u8 viommu__req_detach_table(struct viommu *v, const u8 *in)
{
	struct virtio_iommu_req_detach_table r;

	memcpy(&r, in, RD(virtio_iommu_req_detach_table));
	if (!all_zero(r.reserved, sizeof(r.reserved)))
		return VIRTIO_IOMMU_S_INVAL;
	return viommu__detach_table(v, r.endpoint, r.pasid);
}

/* INVALIDATE: variable size on both sides. */
static size_t viommu__req_invalidate(struct viommu *v, const u8 *in,
				     size_t in_len, u8 *out, size_t out_len)
{
	struct virtio_iommu_inv_entry e[VSVA_INV_MAX_ENTRIES];
	u32 nr;
	size_t st_len;
	u8 status;

	if (in_len < sizeof(struct virtio_iommu_req_invalidate))
		return 0;
	memcpy(&nr, in + 4, sizeof(nr));
	if (!nr || nr > VSVA_INV_MAX_ENTRIES) {
		/* We cannot tell where per-entry statuses would go: only a
		 * tail, if the buffer has room for one. */
		if (out_len < sizeof(struct virtio_iommu_req_tail))
			return 0;
		memset(out, 0, out_len - 4);
		viommu__tail(out + out_len - 4, VIRTIO_IOMMU_S_RANGE);
		return out_len;
	}
	st_len = ALIGN_UP((size_t)nr, 4);
	if (in_len < 8 + (size_t)nr * sizeof(e[0]) || out_len < st_len + 4)
		return 0;
	memcpy(e, in + 8, nr * sizeof(e[0]));
	memset(out, 0, st_len);
	status = viommu__invalidate_batch(v, e, nr, out);
	viommu__tail(out + st_len, status);
	return st_len + 4;
}

static size_t viommu__req_probe(struct viommu *v, const u8 *in, size_t in_len,
				u8 *out, size_t out_len)
{
	struct virtio_iommu_req_probe r;
	size_t props;
	u8 status;

	if (!viommu__has(v, VIRTIO_IOMMU_F_PROBE) || in_len < sizeof(r) ||
	    out_len < 4)
		return 0;
	memcpy(&r, in, sizeof(r));
	props = out_len - 4;
	status = viommu__probe(v, r.endpoint, out, props);
	if (status != VIRTIO_IOMMU_S_OK)
		memset(out, 0, props);
	viommu__tail(out + props, status);
	return out_len;
}

size_t viommu__request(struct viommu *v, const u8 *in, size_t in_len,
		       u8 *out, size_t out_len)
{
	struct virtio_iommu_req_head head;
	size_t need;
	u8 status;

	v->counters.requests++;
	if (in_len < sizeof(head))
		goto unwritten;
	memcpy(&head, in, sizeof(head));

	switch (head.type) {
	case VIRTIO_IOMMU_T_PROBE:
		need = viommu__req_probe(v, in, in_len, out, out_len);
		if (!need)
			goto unwritten;
		memcpy(&status, out + need - 4, 1);
		v->counters.status[status & 15]++;
		return need;
	case VIRTIO_IOMMU_T_INVALIDATE:
		if (!viommu__has(v, VIRTIO_IOMMU_F_VSVA_INVAL))
			goto unwritten;
		need = viommu__req_invalidate(v, in, in_len, out, out_len);
		if (!need)
			goto unwritten;
		v->counters.status[out[need - 4] & 15]++;
		return need;
	case VIRTIO_IOMMU_T_ATTACH:
		need = RD(virtio_iommu_req_attach);
		break;
	case VIRTIO_IOMMU_T_DETACH:
		need = RD(virtio_iommu_req_detach);
		break;
	case VIRTIO_IOMMU_T_MAP:
		need = RD(virtio_iommu_req_map);
		if (!viommu__has(v, VIRTIO_IOMMU_F_MAP_UNMAP))
			goto unwritten;
		break;
	case VIRTIO_IOMMU_T_UNMAP:
		need = RD(virtio_iommu_req_unmap);
		if (!viommu__has(v, VIRTIO_IOMMU_F_MAP_UNMAP))
			goto unwritten;
		break;
	case VIRTIO_IOMMU_T_ATTACH_TABLE:
		need = RD(virtio_iommu_req_attach_table);
		if (!viommu__has(v, VIRTIO_IOMMU_F_VSVA_TABLE))
			goto unwritten;
		break;
	case VIRTIO_IOMMU_T_DETACH_TABLE:
		need = RD(virtio_iommu_req_detach_table);
		if (!viommu__has(v, VIRTIO_IOMMU_F_VSVA_TABLE))
			goto unwritten;
		break;
	case VIRTIO_IOMMU_T_PAGE_RESP:
		need = RD(virtio_iommu_req_page_resp);
		if (!viommu__has(v, VIRTIO_IOMMU_F_VSVA_PAGE_REQ))
			goto unwritten;
		break;
	default:
		goto unwritten;
	}
	if (in_len < need || out_len < sizeof(struct virtio_iommu_req_tail))
		goto unwritten;

	switch (head.type) {
	case VIRTIO_IOMMU_T_ATTACH:
		status = viommu__req_attach(v, in);
		break;
	case VIRTIO_IOMMU_T_DETACH:
		status = viommu__req_detach(v, in);
		break;
	case VIRTIO_IOMMU_T_MAP:
		status = viommu__req_map(v, in);
		break;
	case VIRTIO_IOMMU_T_UNMAP:
		status = viommu__req_unmap(v, in);
		break;
	case VIRTIO_IOMMU_T_ATTACH_TABLE:
		status = viommu__req_attach_table(v, in);
		break;
	case VIRTIO_IOMMU_T_PAGE_RESP:
		status = viommu__req_page_resp(v, in);
		break;
	default:
		status = viommu__req_detach_table(v, in);
		break;
	}
	v->counters.status[status & 15]++;
	return viommu__tail(out, status);

unwritten:
	v->counters.bad_requests++;
	return 0;
}
