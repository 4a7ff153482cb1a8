/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's page-request handler for the vIOMMU's page-request queue
 * (docs/virtio-iommu-ext.md section 8): pops records, groups them by tag
 * (LAST closes a group), checks endpoint, PASID and flags, and decides per
 * group: every page inside the allowed range -> each page is mapped from a
 * page pool into that PASID's stage-1 table with the permission asked
 * (WRITE -> writable, user unless PRIV), one INVALIDATE (scope ADDR,
 * F_LEAF, by endpoint) covers everything a batch mapped, then PAGE_RESP
 * Success; a page in the refused range (or outside both) -> PAGE_RESP
 * Invalid Request. Buffers are reposted as they are popped. Everything is
 * counted.
 *
 * A space can be put on hold: its complete groups are then kept unanswered
 * (for tests that detach a PASID while requests are outstanding) until
 * prq_handler__answer_held() sends their late answers.
 */
#ifndef FW_PRQ_H
#define FW_PRQ_H

#include "pgtable.h"
#include "viommu.h"

#define PRQ_GROUP_MAX		64	/* records in one group */
#define PRQ_MAX_SPACES		64	/* PASIDs a handler serves */
#define PRQ_MAX_OPEN		16	/* groups partly received */
#define PRQ_MAX_HELD		64
#define PRQ_BATCH_RECORDS	64	/* records popped per batch */

struct prq_range {
	u64 start, end;		/* [start, end) */
};

/* One PASID's address space: its stage-1 table and what we mapped in it. */
struct prq_space {
	u32 pasid;
	bool bound;		/* table attached: its requests are served */
	bool hold;		/* keep its complete groups unanswered */
	struct pgtable pt;
	u64 *mapped;		/* VAs the handler mapped */
	u32 nr_mapped, max_mapped;
};

struct prq_held {
	u32 tag, endpoint, pasid;
	u32 nr;			/* records */
	u64 first;		/* address of its first record */
};

struct prq_stats {
	u64 records;		/* popped */
	u64 groups;		/* LAST records */
	u64 answered[3];	/* PAGE_RESP sent, by code */
	u64 resp_errors;	/* PAGE_RESP whose status was not OK */
	u64 bad_records;	/* wrong endpoint/flags, no or unknown PASID */
	u64 unbound;		/* groups for a PASID without a table */
	u64 refused_pages;	/* in the refused range */
	u64 outside_pages;	/* in neither range */
	u64 mapped;		/* pages mapped */
	u64 upgraded;		/* pages given more permission */
	u64 already;		/* pages already mapped as asked */
	u64 pool_empty;
	u64 held;		/* groups put on hold */
	u64 batches;		/* polls that handled at least one record */
	u64 inval_reqs, inval_entries, inval_errors;
	u64 size_hist[PRQ_GROUP_MAX + 1];	/* groups by records */
	u64 cycles;		/* TSC spent in batches */
};

struct prq_open {
	bool used;
	u32 tag;
	u32 nr;
	bool overflow;		/* records were lost: answer Invalid */
	struct virtio_iommu_page_req rec[PRQ_GROUP_MAX];
};

struct prq_resp {
	u32 tag, endpoint, pasid;
	u16 code;
};

struct prq_handler {
	struct viommu *vi;
	u32 ep;			/* the endpoint we serve */
	struct prq_space *spaces;
	u32 nr_spaces;
	struct prq_range allow, refuse;
	/* The page pool: zeroed pages, linked through their first word. */
	void *pool;
	u32 pool_size;
	u32 pool_used;		/* pages lent (mapped) */
	struct prq_open open[PRQ_MAX_OPEN];
	struct prq_resp resp[PRQ_BATCH_RECORDS];
	u32 nr_resp;
	struct virtio_iommu_inv_entry inv[VSVA_INV_MAX_ENTRIES];
	u32 nr_inv;
	struct prq_held held[PRQ_MAX_HELD];
	u32 nr_held;
	u32 last_resp_status;
	struct prq_stats st;
};

/* Allocates the space's empty 4-level table and room to remember
 * max_mapped pages; 0 or -ENOMEM. */
int prq_space__init(struct prq_space *s, u32 pasid, u32 max_mapped);

/*
 * spaces[nr] stay the caller's (it binds them and sets bound/hold). The
 * pool takes pool_size zeroed pages now, so mapping on a fault costs no
 * zeroing; pages come back (zeroed again) on prq_handler__unmap_all(). vi
 * must have the page-request queue (F_VSVA_PAGE_REQ) and INVALIDATE.
 * 0, -EINVAL, -EOPNOTSUPP or -ENOMEM.
 */
int prq_handler__init(struct prq_handler *h, struct viommu *vi, u32 ep,
		      struct prq_space *spaces, u32 nr,
		      struct prq_range allow, struct prq_range refuse,
		      u32 pool_size);

/*
 * One batch: pops up to PRQ_BATCH_RECORDS records, handles every group
 * they complete, sends one INVALIDATE for what it mapped, then the
 * answers. Returns the records popped (0: the queue was empty) or a
 * negative errno if the vIOMMU failed.
 */
int prq_handler__poll(struct prq_handler *h);

/* Held groups of `pasid` not yet answered. */
u32 prq_handler__nr_held(const struct prq_handler *h, u32 pasid);

/*
 * Sends PAGE_RESP `code` for every held group of `pasid` and forgets
 * them; counts per status into statuses[VIRTIO_IOMMU_S_NOMEM + 1] (any
 * other result goes to the last slot). Returns how many were sent or a
 * negative errno.
 */
int prq_handler__answer_held(struct prq_handler *h, u32 pasid, u16 code,
			     u32 *statuses);

/*
 * Unmaps every page the handler mapped in every space, returns them to
 * the pool, then one INVALIDATE (scope PASID) for each bound space.
 * 0 or the INVALIDATE's failure.
 */
int prq_handler__unmap_all(struct prq_handler *h);

/* The space of `pasid`, or NULL. */
struct prq_space *prq_handler__space(struct prq_handler *h, u32 pasid);

void prq_handler__print(const struct prq_handler *h);

#endif
