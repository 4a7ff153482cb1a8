// SPDX-License-Identifier: GPL-2.0
/*
 * The vIOMMU core: endpoints, domains and PASID tables, and the operations
 * behind each request with the statuses the virtio-iommu spec (and
 * docs/virtio-iommu-ext.md for the extension) gives.  Pure: the host side
 * is reached only through the backend ops table.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <vsva/viommu.h>

#define VIOMMU_PAGE_MASK	(SZ_4K - 1)

u64 viommu__device_features(void)
{
	return VIOMMU_DEVICE_FEATURES;
}

void viommu__config(const struct viommu *v, struct virtio_iommu_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->page_size_mask = SZ_4K | SZ_2M | SZ_1G;
	cfg->input_range.start = 0;
	cfg->input_range.end = (1ULL << VIOMMU_INPUT_BITS) - 1;
	cfg->domain_range.start = 1;
	cfg->domain_range.end = VIOMMU_DOMAIN_MAX;
	cfg->probe_size = VIOMMU_PROBE_SIZE;
	cfg->bypass = v->bypass;
}

void viommu__init(struct viommu *v, const struct guest_mem *mem,
		  const struct viommu_backend_ops *be, void *be_priv)
{
	memset(v, 0, sizeof(*v));
	v->mem = mem;
	v->be = be;
	v->be_priv = be_priv;
}

struct viommu_endpoint *viommu__add_endpoint(struct viommu *v, u32 id,
					     const struct viommu_ep_caps *caps,
					     void *dev)
{
	struct viommu_endpoint *ep;

	if (v->nr_eps >= VIOMMU_MAX_ENDPOINTS || viommu__find_endpoint(v, id))
		return NULL;
	ep = calloc(1, sizeof(*ep));
	if (!ep)
		return NULL;
	ep->id = id;
	ep->dev = dev;
	ep->viommu = v;
	if (caps)
		ep->caps = *caps;
	if (v->be && v->be->ep_caps)
		v->be->ep_caps(v->be_priv, ep, &ep->caps);
	v->eps[v->nr_eps++] = ep;
	return ep;
}

struct viommu_endpoint *viommu__find_endpoint(struct viommu *v, u32 id)
{
	for (int i = 0; i < v->nr_eps; i++)
		if (v->eps[i]->id == id)
			return v->eps[i];
	return NULL;
}

struct viommu_domain *viommu__find_domain(struct viommu *v, u32 id)
{
	for (struct viommu_domain *d = v->domains; d; d = d->next)
		if (d->id == id)
			return d;
	return NULL;
}

struct viommu_pasid *viommu__pasid(struct viommu_endpoint *ep, u32 pasid)
{
	for (int i = 0; i < VIOMMU_MAX_PASIDS; i++)
		if (ep->pasids[i].state != VIOMMU_PASID_UNBOUND &&
		    ep->pasids[i].pasid == pasid)
			return &ep->pasids[i];
	return NULL;
}

static int viommu__nr_bound(const struct viommu_endpoint *ep)
{
	int n = 0;

	for (int i = 0; i < VIOMMU_MAX_PASIDS; i++)
		n += ep->pasids[i].state != VIOMMU_PASID_UNBOUND;
	return n;
}

/* The core's own invalidations (detach, new table). */
static void viommu__flush(struct viommu *v, u16 scope, u32 domain, u32 ep,
			  u32 pasid)
{
	struct viommu_inval inv = {
		.scope = scope, .domain = domain, .endpoint = ep,
		.pasid = pasid,
	};
	int err = 0;

	if (v->be && v->be->invalidate)
		v->be->invalidate(v->be_priv, &inv, 1, &err);
}

static void viommu__free_domain(struct viommu *v, struct viommu_domain *d)
{
	struct viommu_domain **pp;

	for (pp = &v->domains; *pp; pp = &(*pp)->next)
		if (*pp == d) {
			*pp = d->next;
			break;
		}
	if (v->be && v->be->unmap)
		for (u32 i = 0; i < d->nr_maps; i++)
			v->be->unmap(v->be_priv, d, &d->maps[i]);
	mappings__clear(d);
	free(d);
}

/* Take @ep out of its domain (which dies with its last endpoint). */
static void viommu__leave_domain(struct viommu *v, struct viommu_endpoint *ep)
{
	struct viommu_domain *d = ep->domain;

	if (!d)
		return;
	if (v->be && v->be->detach)
		v->be->detach(v->be_priv, ep, d);
	viommu__flush(v, VSVA_INV_S_DOMAIN, d->id, ep->id, VIOMMU_NO_PASID);
	ep->domain = NULL;
	if (--d->nr_endpoints == 0)
		viommu__free_domain(v, d);
	v->gen++;
}

u8 viommu__attach(struct viommu *v, u32 domain, u32 epid, u32 flags)
{
	u32 known = viommu__has(v, VIRTIO_IOMMU_F_BYPASS_CONFIG) ?
		    VIRTIO_IOMMU_ATTACH_F_BYPASS : 0;
	bool bypass = flags & VIRTIO_IOMMU_ATTACH_F_BYPASS;
	struct viommu_endpoint *ep;
	struct viommu_domain *d;
	bool fresh = false;

	if (flags & ~known)
		return VIRTIO_IOMMU_S_INVAL;
	ep = viommu__find_endpoint(v, epid);
	if (!ep)
		return VIRTIO_IOMMU_S_NOENT;
	if (domain < 1 || domain > VIOMMU_DOMAIN_MAX)
		return VIRTIO_IOMMU_S_RANGE;
	d = viommu__find_domain(v, domain);
	if (d && d->bypass != bypass)
		return VIRTIO_IOMMU_S_INVAL;
	if (ep->domain == d && d)
		return VIRTIO_IOMMU_S_OK;
	if (viommu__nr_bound(ep))
		return VIRTIO_IOMMU_S_UNSUPP;
	if (!d) {
		d = calloc(1, sizeof(*d));
		if (!d)
			return VIRTIO_IOMMU_S_NOMEM;
		d->id = domain;
		d->bypass = bypass;
		fresh = true;
	}
	if (v->be && v->be->attach && v->be->attach(v->be_priv, ep, d)) {
		if (fresh)
			free(d);
		return VIRTIO_IOMMU_S_UNSUPP;
	}
	if (fresh) {
		d->next = v->domains;
		v->domains = d;
	}
	d->nr_endpoints++;	/* before leaving: the old one may be d's twin */
	viommu__leave_domain(v, ep);
	ep->domain = d;
	v->gen++;
	return VIRTIO_IOMMU_S_OK;
}

u8 viommu__detach(struct viommu *v, u32 domain, u32 epid)
{
	struct viommu_endpoint *ep = viommu__find_endpoint(v, epid);

	if (!ep)
		return VIRTIO_IOMMU_S_NOENT;
	if (!ep->domain || ep->domain->id != domain)
		return VIRTIO_IOMMU_S_INVAL;
	if (viommu__nr_bound(ep))
		return VIRTIO_IOMMU_S_UNSUPP;
	viommu__leave_domain(v, ep);
	return VIRTIO_IOMMU_S_OK;
}

/* The MSI doorbell window every endpoint has (PROBE RESV_MEM). */
static bool viommu__hits_resv(u64 start, u64 end)
{
	return start <= VIOMMU_MSI_END && end >= VIOMMU_MSI_START;
}

u8 viommu__map(struct viommu *v, u32 domain, u64 start, u64 end, u64 phys,
	       u32 flags)
{
	u32 known = VIRTIO_IOMMU_MAP_F_READ | VIRTIO_IOMMU_MAP_F_WRITE;
	struct viommu_mapping m;
	struct viommu_domain *d;
	u64 size;

	if (viommu__has(v, VIRTIO_IOMMU_F_MMIO))
		known |= VIRTIO_IOMMU_MAP_F_MMIO;
	if (flags & ~known)
		return VIRTIO_IOMMU_S_INVAL;
	if ((start & VIOMMU_PAGE_MASK) || (phys & VIOMMU_PAGE_MASK) ||
	    ((end + 1) & VIOMMU_PAGE_MASK) || end <= start ||
	    end > (1ULL << VIOMMU_INPUT_BITS) - 1)
		return VIRTIO_IOMMU_S_RANGE;
	size = end - start + 1;
	if (phys + size - 1 < phys)
		return VIRTIO_IOMMU_S_RANGE;
	d = viommu__find_domain(v, domain);
	if (!d)
		return VIRTIO_IOMMU_S_NOENT;
	if (d->bypass)
		return VIRTIO_IOMMU_S_INVAL;
	if (mappings__find(d, start) || viommu__hits_resv(start, end))
		return VIRTIO_IOMMU_S_INVAL;
	if (!(flags & VIRTIO_IOMMU_MAP_F_MMIO) &&
	    !guest_mem__ptr(v->mem, phys, size))
		return VIRTIO_IOMMU_S_FAULT;
	m = (struct viommu_mapping){ start, end, phys, flags };
	switch (mappings__add(d, &m)) {
	case 0:
		break;
	case -EEXIST:
		return VIRTIO_IOMMU_S_INVAL;
	default:
		return VIRTIO_IOMMU_S_NOMEM;
	}
	if (v->be && v->be->map && v->be->map(v->be_priv, d, &m)) {
		mappings__remove(d, start, end, NULL, NULL);
		return VIRTIO_IOMMU_S_NOMEM;
	}
	return VIRTIO_IOMMU_S_OK;
}

struct unmap_ctx {
	struct viommu *v;
	struct viommu_domain *d;
};

static void viommu__unmapped(void *opaque, const struct viommu_mapping *m)
{
	struct unmap_ctx *c = opaque;

	if (c->v->be && c->v->be->unmap)
		c->v->be->unmap(c->v->be_priv, c->d, m);
}

u8 viommu__unmap(struct viommu *v, u32 domain, u64 start, u64 end)
{
	struct viommu_domain *d = viommu__find_domain(v, domain);
	struct unmap_ctx c = { v, d };

	if (!d)
		return VIRTIO_IOMMU_S_NOENT;
	if (d->bypass)
		return VIRTIO_IOMMU_S_INVAL;
	if (end < start)
		return VIRTIO_IOMMU_S_RANGE;
	if (mappings__remove(d, start, end, viommu__unmapped, &c))
		return VIRTIO_IOMMU_S_RANGE;
	v->gen++;
	return VIRTIO_IOMMU_S_OK;
}

static u32 viommu__s1_flags(u32 flags)
{
	u32 f = S1_F_AD;

	if (flags & VSVA_TABLE_F_SRE)
		f |= S1_F_SRE;
	if (flags & VSVA_TABLE_F_WPE)
		f |= S1_F_WPE;
	if (flags & VSVA_TABLE_F_EAFE)
		f |= S1_F_EAFE;
	if (flags & VSVA_TABLE_F_NXE)
		f |= S1_F_NXE;
	return f;
}

static bool viommu__pasid_ok(const struct viommu_endpoint *ep, u32 pasid)
{
	return ep->caps.pasid_bits && pasid &&
	       pasid < (1ULL << ep->caps.pasid_bits);
}

u8 viommu__attach_table(struct viommu *v, u32 epid, u32 pasid, u32 flags,
			u16 format, u8 levels, u64 root)
{
	struct viommu_endpoint *ep;
	struct viommu_pasid *p;
	struct s1_desc desc;
	u32 fmt;

	if (flags & ~VSVA_TABLE_F_MASK)
		return VIRTIO_IOMMU_S_INVAL;
	ep = viommu__find_endpoint(v, epid);
	if (!ep)
		return VIRTIO_IOMMU_S_NOENT;
	if (!ep->domain || ep->domain->bypass)
		return VIRTIO_IOMMU_S_INVAL;
	fmt = levels == 4 ? VSVA_S1_FMT_X86_64_4LVL :
	      levels == 5 ? VSVA_S1_FMT_X86_64_5LVL : 0;
	if (!ep->caps.pasid_bits || format != VSVA_S1_FORMAT_X86_64 ||
	    !(ep->caps.formats & fmt) || (flags & ~ep->caps.table_flags))
		return VIRTIO_IOMMU_S_UNSUPP;
	if (!viommu__pasid_ok(ep, pasid))
		return VIRTIO_IOMMU_S_RANGE;
	if ((root & VIOMMU_PAGE_MASK) || !guest_mem__ptr(v->mem, root, SZ_4K))
		return VIRTIO_IOMMU_S_FAULT;

	desc = (struct s1_desc){
		.root_gpa = root, .levels = levels,
		.flags = viommu__s1_flags(flags),
	};
	p = viommu__pasid(ep, pasid);
	if (p && p->state == VIOMMU_PASID_DRAINING)
		return VIRTIO_IOMMU_S_INVAL;
	if (p && v->prq_hook)
		v->prq_hook(v->prq_opaque, ep, pasid, VIOMMU_PRQ_BEFORE, true);
	if (!p) {
		for (int i = 0; i < VIOMMU_MAX_PASIDS && !p; i++)
			if (ep->pasids[i].state == VIOMMU_PASID_UNBOUND)
				p = &ep->pasids[i];
		if (!p)
			return VIRTIO_IOMMU_S_NOMEM;
		if (v->be && v->be->attach_table &&
		    v->be->attach_table(v->be_priv, ep, pasid, &desc, false))
			return VIRTIO_IOMMU_S_UNSUPP;
		p->pasid = pasid;
	} else {
		int err = v->be && v->be->attach_table ?
			  v->be->attach_table(v->be_priv, ep, pasid, &desc,
					      true) : 0;

		/* The host answered the old table's requests (or, refusing,
		 * kept them): the hook mirrors whatever it did. */
		if (v->prq_hook)
			v->prq_hook(v->prq_opaque, ep, pasid, VIOMMU_PRQ_AFTER,
				    true);
		if (err)
			return VIRTIO_IOMMU_S_UNSUPP;
	}
	/* A new table: nothing cached from the old one may survive. */
	viommu__flush(v, VSVA_INV_S_PASID_CACHE, ep->domain->id, ep->id, pasid);
	p->desc = desc;
	p->state = VIOMMU_PASID_BOUND;
	v->gen++;
	return VIRTIO_IOMMU_S_OK;
}

u8 viommu__detach_table(struct viommu *v, u32 epid, u32 pasid)
{
	struct viommu_endpoint *ep = viommu__find_endpoint(v, epid);
	struct viommu_pasid *p;

	if (!ep)
		return VIRTIO_IOMMU_S_NOENT;
	if (!viommu__pasid_ok(ep, pasid))
		return VIRTIO_IOMMU_S_RANGE;
	p = viommu__pasid(ep, pasid);
	if (!p || p->state != VIOMMU_PASID_BOUND)
		return VIRTIO_IOMMU_S_INVAL;
	p->state = VIOMMU_PASID_DRAINING;
	if (v->prq_hook)
		v->prq_hook(v->prq_opaque, ep, pasid, VIOMMU_PRQ_BEFORE, false);
	if (v->be && v->be->detach_table)
		v->be->detach_table(v->be_priv, ep, pasid);
	if (v->prq_hook)
		v->prq_hook(v->prq_opaque, ep, pasid, VIOMMU_PRQ_AFTER, false);
	viommu__flush(v, VSVA_INV_S_PASID_CACHE,
		      ep->domain ? ep->domain->id : 0, ep->id, pasid);
	memset(p, 0, sizeof(*p));
	v->gen++;
	return VIRTIO_IOMMU_S_OK;
}

/* Validate one INVALIDATE entry into @inv; a status. */
static u8 viommu__decode_inval(struct viommu *v,
			       const struct virtio_iommu_inv_entry *e,
			       struct viommu_inval *inv)
{
	struct viommu_endpoint *ep = NULL;
	struct viommu_domain *d;

	if (e->scope < VSVA_INV_S_PASID || e->scope > VSVA_INV_S_PASID_CACHE ||
	    (e->flags & ~VSVA_INV_F_MASK) || e->reserved)
		return VIRTIO_IOMMU_S_INVAL;
	memset(inv, 0, sizeof(*inv));
	inv->scope = e->scope;
	inv->leaf = e->flags & VSVA_INV_F_LEAF;
	inv->endpoint = VIOMMU_ALL_EPS;
	inv->pasid = e->pasid;
	if (e->flags & VSVA_INV_F_ENDPOINT) {
		ep = viommu__find_endpoint(v, e->id);
		if (!ep || !ep->domain)
			return VIRTIO_IOMMU_S_NOENT;
		d = ep->domain;
		if (e->scope != VSVA_INV_S_DOMAIN)
			inv->endpoint = ep->id;
	} else {
		d = viommu__find_domain(v, e->id);
		if (!d)
			return VIRTIO_IOMMU_S_NOENT;
	}
	inv->domain = d->id;
	if (e->scope != VSVA_INV_S_DOMAIN) {
		if (!e->pasid || e->pasid >= (1U << 20) ||
		    (ep && !viommu__pasid_ok(ep, e->pasid)))
			return VIRTIO_IOMMU_S_RANGE;
	}
	if (e->scope == VSVA_INV_S_ADDR) {
		if ((e->addr & VIOMMU_PAGE_MASK) || !e->nr_pages ||
		    e->nr_pages > (1ULL << 52) ||
		    e->addr + e->nr_pages * SZ_4K - 1 < e->addr)
			return VIRTIO_IOMMU_S_INVAL;
		inv->addr = e->addr;
		inv->nr_pages = e->nr_pages;
	}
	return VIRTIO_IOMMU_S_OK;
}

u8 viommu__invalidate_batch(struct viommu *v,
			    const struct virtio_iommu_inv_entry *e, u32 nr,
			    u8 *status)
{
	struct viommu_inval inv[VSVA_INV_MAX_ENTRIES];
	int idx[VSVA_INV_MAX_ENTRIES], err[VSVA_INV_MAX_ENTRIES];
	int n = 0;
	u8 first = VIRTIO_IOMMU_S_OK;

	for (u32 i = 0; i < nr; i++) {
		status[i] = viommu__decode_inval(v, &e[i], &inv[n]);
		if (status[i] == VIRTIO_IOMMU_S_OK)
			idx[n++] = (int)i;
	}
	if (n && v->be && v->be->invalidate) {
		memset(err, 0, sizeof(err));
		v->be->invalidate(v->be_priv, inv, n, err);
		for (int i = 0; i < n; i++)
			if (err[i])
				status[idx[i]] = VIRTIO_IOMMU_S_IOERR;
	}
	for (u32 i = 0; i < nr; i++)
		if (status[i] != VIRTIO_IOMMU_S_OK) {
			first = status[i];
			break;
		}
	return first;
}

u8 viommu__probe(struct viommu *v, u32 epid, u8 *buf, size_t len)
{
	struct viommu_endpoint *ep = viommu__find_endpoint(v, epid);
	struct virtio_iommu_probe_resv_mem resv = {
		.head = { VIRTIO_IOMMU_PROBE_T_RESV_MEM, sizeof(resv) - 4 },
		.subtype = VIRTIO_IOMMU_RESV_MEM_T_MSI,
		.start = VIOMMU_MSI_START,
		.end = VIOMMU_MSI_END,
	};
	size_t off = 0;

	if (!ep)
		return VIRTIO_IOMMU_S_NOENT;
	if (len < VIOMMU_PROBE_SIZE)
		return VIRTIO_IOMMU_S_INVAL;
	memset(buf, 0, len);
	memcpy(buf + off, &resv, sizeof(resv));
	off += sizeof(resv);
	if (viommu__has(v, VIRTIO_IOMMU_F_VSVA_TABLE)) {
		struct virtio_iommu_probe_vsva p = {
			.head = { VIRTIO_IOMMU_PROBE_T_VSVA, sizeof(p) - 4 },
			.formats = ep->caps.formats,
			.table_flags = ep->caps.table_flags,
			.pasid_bits = ep->caps.pasid_bits,
			.page_req = ep->caps.page_req,
			.prq_capacity = ep->caps.prq_capacity,
		};

		memcpy(buf + off, &p, sizeof(p));
	}
	return VIRTIO_IOMMU_S_OK;
}

void viommu__reset(struct viommu *v)
{
	for (int i = 0; i < v->nr_eps; i++) {
		struct viommu_endpoint *ep = v->eps[i];

		for (int j = 0; j < VIOMMU_MAX_PASIDS; j++)
			if (ep->pasids[j].state != VIOMMU_PASID_UNBOUND)
				viommu__detach_table(v, ep->id,
						     ep->pasids[j].pasid);
		viommu__leave_domain(v, ep);
	}
	v->features = 0;
	v->gen++;
}

void viommu__free(struct viommu *v)
{
	viommu__reset(v);
	for (int i = 0; i < v->nr_eps; i++)
		free(v->eps[i]);
	v->nr_eps = 0;
}
