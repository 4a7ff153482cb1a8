/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vIOMMU core: endpoints, domains, per-endpoint PASID state, stage-1
 * table descriptors, the IOTLB model and the request decoder.  Independent
 * of the transport (virtio/iommu.c drives it) and of the host backend (one
 * ops table, struct viommu_backend_ops).  No I/O and no locks: callers
 * serialise (the virtio device holds its lock around every call).
 */
#ifndef VSVA_VIOMMU_H
#define VSVA_VIOMMU_H

#include <vsva/types.h>
#include <vsva/guest-mem.h>
#include <vsva/s1walk.h>
#include <vsva/virtio-iommu-abi.h>

#define VIOMMU_MAX_ENDPOINTS	64
#define VIOMMU_MAX_PASIDS	64	/* bound PASIDs per endpoint */
#define VIOMMU_MAX_MAPPINGS	65536	/* per domain */
#define VIOMMU_PROBE_SIZE	512
#define VIOMMU_INPUT_BITS	48
#define VIOMMU_DOMAIN_MAX	65535

/* What the device offers (docs/virtio-iommu-ext.md §2, §3). */
#define VIOMMU_DEVICE_FEATURES					\
	(BIT_ULL(VIRTIO_IOMMU_F_INPUT_RANGE) |			\
	 BIT_ULL(VIRTIO_IOMMU_F_DOMAIN_RANGE) |			\
	 BIT_ULL(VIRTIO_IOMMU_F_MAP_UNMAP) |			\
	 BIT_ULL(VIRTIO_IOMMU_F_PROBE) |			\
	 BIT_ULL(VIRTIO_IOMMU_F_MMIO) |				\
	 BIT_ULL(VIRTIO_IOMMU_F_BYPASS_CONFIG) |			\
	 BIT_ULL(VIRTIO_IOMMU_F_VSVA_TABLE) |			\
	 BIT_ULL(VIRTIO_IOMMU_F_VSVA_INVAL) |			\
	 BIT_ULL(VIRTIO_IOMMU_F_VSVA_PAGE_REQ))

#define VIOMMU_MSI_START	0xfee00000ULL
#define VIOMMU_MSI_END		0xfeefffffULL

struct viommu;
struct viommu_endpoint;

/* What one endpoint can do (the PROBE VSVA property). */
struct viommu_ep_caps {
	u8 pasid_bits;		/* 0: no PASID */
	u32 formats;		/* VSVA_S1_FMT_* */
	u32 table_flags;	/* VSVA_TABLE_F_* */
	bool page_req;
	u32 prq_capacity;
};

/* An SVA endpoint that raises page requests: both x86-64 stage-1
 * formats, every table flag. */
static inline struct viommu_ep_caps viommu__sva_caps(u8 pasid_bits,
						     u32 prq_capacity)
{
	return (struct viommu_ep_caps){
		.pasid_bits = pasid_bits,
		.formats = VSVA_S1_FMT_X86_64_4LVL | VSVA_S1_FMT_X86_64_5LVL,
		.table_flags = VSVA_TABLE_F_MASK,
		.page_req = true,
		.prq_capacity = prq_capacity,
	};
}

enum viommu_pasid_state {
	VIOMMU_PASID_UNBOUND = 0,
	VIOMMU_PASID_BOUND,
	VIOMMU_PASID_DRAINING,	/* detached, outstanding requests being answered */
};

struct viommu_pasid {
	u32 pasid;
	enum viommu_pasid_state state;
	struct s1_desc desc;
};

struct viommu_mapping {
	u64 virt_start, virt_end;	/* inclusive */
	u64 phys;
	u32 flags;			/* VIRTIO_IOMMU_MAP_F_* */
};

struct viommu_domain {
	u32 id;
	bool bypass;
	int nr_endpoints;
	struct viommu_mapping *maps;	/* sorted by virt_start */
	u32 nr_maps, cap_maps;
	struct viommu_domain *next;
};

struct viommu_endpoint {
	u32 id;
	struct viommu_ep_caps caps;
	struct viommu_domain *domain;
	struct viommu_pasid pasids[VIOMMU_MAX_PASIDS];
	void *dev;			/* the device, for backends */
	struct viommu *viommu;
	u32 dev_id;			/* host device ID in fault records, 0 none */
};

/* An invalidation, decoded and validated (INVALIDATE entries, and the
 * core's own: UNMAP, detach). */
struct viommu_inval {
	u16 scope;		/* VSVA_INV_S_* */
	bool leaf;
	u32 domain;		/* resolved domain id */
	u32 endpoint;		/* endpoint id, or ~0 for "every endpoint" */
	u32 pasid;		/* VIOMMU_NO_PASID for mappings */
	u64 addr, nr_pages;
};

#define VIOMMU_NO_PASID		(~0U)
#define VIOMMU_ALL_EPS		(~0U)

struct viommu_access {
	u64 addr;
	bool write, exec, priv;
	u32 pasid;		/* VIOMMU_NO_PASID for untagged DMA */
	/* The device will send a page request for a recoverable fault (not
	 * present, permission): do not report those on the eventq. */
	bool prq;
};

/* Stage-1 faults a page request can fix. */
static inline bool viommu__fault_recoverable(enum s1_fault f)
{
	return f == S1_FAULT_NOT_PRESENT || f == S1_FAULT_WRITE ||
	       f == S1_FAULT_USER || f == S1_FAULT_SUPERVISOR ||
	       f == S1_FAULT_EXEC;
}

struct viommu_xlate {
	u64 gpa;
	u64 contig;
	u8 reason;		/* fault reason on failure */
	enum s1_fault s1;	/* stage-1 detail, S1_OK otherwise */
};

/*
 * Host backend: what the vIOMMU needs the host to do.  `emul` keeps it in
 * process, `iommufd` asks the kernel.  Each returns 0 or -errno; the core
 * turns errors into request statuses.  Every op is optional except those
 * marked.
 */
struct viommu_backend_ops {
	const char *name;
	/* What the host can offer for @ep (filtered into its PROBE caps). */
	void (*ep_caps)(void *be, struct viommu_endpoint *ep,
			struct viommu_ep_caps *caps);
	int (*attach)(void *be, struct viommu_endpoint *ep,
		      struct viommu_domain *dom);
	void (*detach)(void *be, struct viommu_endpoint *ep,
		       struct viommu_domain *dom);
	int (*map)(void *be, struct viommu_domain *dom,
		   const struct viommu_mapping *m);
	int (*unmap)(void *be, struct viommu_domain *dom,
		     const struct viommu_mapping *m);
	/* Install or replace the stage-1 table of (ep, pasid). */
	int (*attach_table)(void *be, struct viommu_endpoint *ep, u32 pasid,
			    const struct s1_desc *desc, bool replace);
	void (*detach_table)(void *be, struct viommu_endpoint *ep, u32 pasid);
	/* A batch; per-entry results in @err (0 or -errno).  The core also
	 * sends its own (detach, table replacement).  Required. */
	void (*invalidate)(void *be, const struct viommu_inval *inv, int nr,
			   int *err);
	/* Stage-1 (PASID-tagged) DMA of an endpoint the host models: walk
	 * and cache as the host IOMMU would.  Required for emulated DMA. */
	int (*translate)(void *be, struct viommu_endpoint *ep,
			 const struct viommu_pasid *p,
			 const struct viommu_access *a,
			 struct viommu_xlate *x);
};

struct viommu_counters {
	u64 requests;
	u64 bad_requests;		/* unwritten: unknown type, too short */
	u64 status[16];			/* requests answered, by status */
	u64 faults;			/* translation faults raised */
};

/* The IOTLB model: leaf translations and non-leaf (PDE) entries. */
#define IOTLB_ENTRIES		1024
#define IOTLB_PDE_ENTRIES	256

struct iotlb_entry {
	bool valid;
	u32 domain, ep, pasid;
	u64 va;			/* page-aligned input address */
	u64 page_size;
	u64 gpa;		/* page-aligned output */
	bool writable, user, nx;
	bool dirty;		/* D was set by the walk that filled it */
};

struct iotlb_pde {
	bool valid;
	u32 domain, ep, pasid;
	u64 va;			/* 2 MiB-aligned */
	u64 pt_gpa;		/* the level-1 table it points to */
	bool writable, user, nx;	/* combined over the upper levels */
};

struct iotlb {
	struct iotlb_entry e[IOTLB_ENTRIES];
	struct iotlb_pde pde[IOTLB_PDE_ENTRIES];
};

struct viommu {
	const struct guest_mem *mem;
	u64 features;			/* negotiated */
	u8 bypass;			/* config field */
	struct viommu_endpoint *eps[VIOMMU_MAX_ENDPOINTS];
	int nr_eps;
	struct viommu_domain *domains;
	const struct viommu_backend_ops *be;
	void *be_priv;
	struct viommu_counters counters;
	/* Bumped whenever an existing translation may have changed (detach,
	 * unmap, bypass change): devices re-check cached mappings. */
	u32 gen;
	/* Where translation faults go (the eventq). */
	void (*report_fault)(void *opaque, const struct virtio_iommu_fault *f);
	void *fault_opaque;
	/*
	 * Page-request hook around a PASID detach or table replacement:
	 * VIOMMU_PRQ_BEFORE (take in what the host queued), then the backend
	 * detaches, then VIOMMU_PRQ_AFTER (drop the tags the host answered).
	 */
	void (*prq_hook)(void *opaque, struct viommu_endpoint *ep, u32 pasid,
			 int phase, bool replace);
	/* A guest PAGE_RESP (F_VSVA_PAGE_REQ): the status for the guest. */
	u8 (*page_resp)(void *opaque,
			const struct virtio_iommu_req_page_resp *r);
	void *prq_opaque;
};

#define VIOMMU_PRQ_BEFORE	0
#define VIOMMU_PRQ_AFTER	1

/* Was feature @bit negotiated? */
static inline bool viommu__has(const struct viommu *v, unsigned int bit)
{
	return v->features & BIT_ULL(bit);
}

/* core.c */
void viommu__init(struct viommu *v, const struct guest_mem *mem,
		  const struct viommu_backend_ops *be, void *be_priv);
void viommu__reset(struct viommu *v);	/* device reset: detach everything */
void viommu__free(struct viommu *v);
struct viommu_endpoint *viommu__add_endpoint(struct viommu *v, u32 id,
					     const struct viommu_ep_caps *caps,
					     void *dev);
struct viommu_endpoint *viommu__find_endpoint(struct viommu *v, u32 id);
struct viommu_domain *viommu__find_domain(struct viommu *v, u32 id);
u64 viommu__device_features(void);
void viommu__config(const struct viommu *v, struct virtio_iommu_config *cfg);

/* Operations, with spec statuses (VIRTIO_IOMMU_S_*). */
u8 viommu__attach(struct viommu *v, u32 domain, u32 ep, u32 flags);
u8 viommu__detach(struct viommu *v, u32 domain, u32 ep);
u8 viommu__map(struct viommu *v, u32 domain, u64 start, u64 end, u64 phys,
	       u32 flags);
u8 viommu__unmap(struct viommu *v, u32 domain, u64 start, u64 end);
u8 viommu__attach_table(struct viommu *v, u32 ep, u32 pasid, u32 flags,
			u16 format, u8 levels, u64 root);
u8 viommu__detach_table(struct viommu *v, u32 ep, u32 pasid);
/* A batch of INVALIDATE entries: per-entry statuses in @status, returns
 * the first failing status (OK if none). */
u8 viommu__invalidate_batch(struct viommu *v,
			    const struct virtio_iommu_inv_entry *e, u32 nr,
			    u8 *status);
/* PROBE properties for @ep into @buf (probe_size bytes). */
u8 viommu__probe(struct viommu *v, u32 ep, u8 *buf, size_t len);
struct viommu_pasid *viommu__pasid(struct viommu_endpoint *ep, u32 pasid);

/* request.c: one request from the requestq.  @in holds the readable part,
 * @out the writable part; returns the bytes written to @out (0: the buffer
 * is returned unwritten, as the spec wants for unknown or short requests). */
size_t viommu__request(struct viommu *v, const u8 *in, size_t in_len,
		       u8 *out, size_t out_len);

/* mappings.c: a domain's mapping set, MAP/UNMAP semantics of the spec. */
int mappings__add(struct viommu_domain *d, const struct viommu_mapping *m);
/* Removes every mapping inside [start, end]; -ERANGE if one would split
 * (nothing removed).  Removed mappings are passed to @fn. */
int mappings__remove(struct viommu_domain *d, u64 start, u64 end,
		     void (*fn)(void *opaque, const struct viommu_mapping *m),
		     void *opaque);
const struct viommu_mapping *mappings__find(const struct viommu_domain *d,
					    u64 addr);
void mappings__clear(struct viommu_domain *d);

/* iotlb.c: entries are tagged (domain, endpoint, PASID). */
void iotlb__flush(struct iotlb *t, const struct viommu_inval *inv);
void iotlb__flush_all(struct iotlb *t);
struct iotlb_entry *iotlb__lookup(struct iotlb *t, u32 ep, u32 pasid, u64 va);
void iotlb__insert(struct iotlb *t, const struct iotlb_entry *e);
struct iotlb_pde *iotlb__lookup_pde(struct iotlb *t, u32 ep, u32 pasid,
				    u64 va);
void iotlb__insert_pde(struct iotlb *t, const struct iotlb_pde *p);

/* translate.c: DMA from an endpoint.  Fills *gpa and the bytes contiguous
 * from there; on a fault returns -EFAULT and reports it (eventq). */
int viommu__translate(struct viommu *v, struct viommu_endpoint *ep,
		      const struct viommu_access *a, struct viommu_xlate *x);
/* Report a fault (reason + access) on the eventq. */
void viommu__fault(struct viommu *v, struct viommu_endpoint *ep,
		   const struct viommu_access *a, u8 reason);

/* backend-emul.c: the in-process host IOMMU model. */
struct emul_fq;

struct emul_iommu {
	const struct guest_mem *mem;
	struct emul_fq *fq;		/* page requests of its devices */
	struct iotlb iotlb;
	u64 iotlb_hits, iotlb_misses, pde_hits;
	u64 invalidations;
	u64 tables_bound;
};

extern const struct viommu_backend_ops emul_iommu_ops;
void emul_iommu__init(struct emul_iommu *e, const struct guest_mem *mem);

#endif
