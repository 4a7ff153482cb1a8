/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Page-request queue translation: pure code, no I/O, no globals, no locks
 * (the relay thread is the only user).
 *
 *  host fault records (struct iommu_hwpt_pgfault, 40 B, from the fault FD)
 *     -> groups (prq__split)
 *     -> guest page-request records (struct virtio_iommu_page_req), one per
 *        host record, each carrying a guest tag (prq__translate_group)
 *  guest PAGE_RESP (endpoint, pasid, flags, tag, code)
 *     -> validated against the tag table -> host response {cookie, code}
 *        (prq__guest_response), batched (struct prq_resp_batch)
 *
 * The tag table maps a guest-visible tag to the host's cookie and to the
 * endpoint/PASID the group was raised for.  Tags are generation-checked:
 * tag = (generation << PRQ_TAG_INDEX_BITS) | slot, so a stale or forged tag
 * never matches a reused slot.  Alloc/lookup/free are O(1).
 */
#ifndef VSVA_PRQ_H
#define VSVA_PRQ_H

#include <vsva/types.h>
#include <vsva/virtio-iommu-abi.h>

/* --- the host interface (IOMMUFD fault FD), our own definitions --- */
#define IOMMU_PGFAULT_FLAGS_PASID_VALID	(1U << 0)
#define IOMMU_PGFAULT_FLAGS_LAST_PAGE	(1U << 1)
#define IOMMU_PGFAULT_FLAGS_KNOWN	0x3U	/* mask the rest (VT-d bit 2) */
#define IOMMU_PGFAULT_PERM_READ		(1U << 0)
#define IOMMU_PGFAULT_PERM_WRITE	(1U << 1)
#define IOMMU_PGFAULT_PERM_EXEC		(1U << 2)
#define IOMMU_PGFAULT_PERM_PRIV		(1U << 3)
#define IOMMUFD_PAGE_RESP_SUCCESS	0U
#define IOMMUFD_PAGE_RESP_INVALID	1U

struct prq_host_fault {			/* struct iommu_hwpt_pgfault */
	u32 flags;			/* 0 */
	u32 dev_id;			/* 4 */
	u32 pasid;			/* 8 */
	u32 grpid;			/* 12 */
	u32 perm;			/* 16 */
	u32 reserved;			/* 20 */
	u64 addr;			/* 24 */
	u32 length;			/* 32 */
	u32 cookie;			/* 36 */
};

struct prq_host_resp {			/* struct iommu_hwpt_page_response */
	u32 cookie;
	u32 code;
};

_Static_assert(sizeof(struct prq_host_fault) == 40, "iommu_hwpt_pgfault");
_Static_assert(sizeof(struct prq_host_resp) == 8, "iommu_hwpt_page_response");

/* --- groups --- */
#define PRQ_MAX_GROUP		64	/* records in one group */

struct prq_group {
	const struct prq_host_fault *rec;	/* into the read buffer */
	u32 nr;
	u32 cookie;
};

/*
 * Split @len bytes read from the fault FD into groups: consecutive records
 * with the same cookie, the last of which has LAST_PAGE.  Returns the
 * number of groups written to @out (at most @max), or -EINVAL if @len is
 * not a multiple of 40, a group is cut short (no LAST_PAGE before the
 * cookie changes or the buffer ends), a group mixes cookies or devices, or
 * is longer than PRQ_MAX_GROUP.  *bad_bytes gets how much was not usable
 * (the relay counts it): 0 on success, @len on -EINVAL (framing cannot be
 * trusted past a bad record, so nothing of that read is used).  -ENOSPC if
 * there are more than @max groups (room for @len / 40 always suffices).
 * @buf must be aligned for struct prq_host_fault.
 */
int prq__split(const void *buf, size_t len, struct prq_group *out, int max,
	       size_t *bad_bytes);

/* --- the tag table --- */
#define PRQ_TAG_INDEX_BITS	12
#define PRQ_MAX_TAGS		(1U << PRQ_TAG_INDEX_BITS)	/* 4096 */
/*
 * Generations are 1 .. PRQ_TAG_GEN_MAX and wrap back to 1 (never 0), so
 * every tag is >= PRQ_MAX_TAGS and PRQ_TAG_NONE (0) is never issued.  19
 * bits, not 20: prq__translate_group() returns the tag as a non-negative
 * int, so bit 31 must stay clear.
 */
#define PRQ_TAG_GEN_BITS	19
#define PRQ_TAG_GEN_MAX		((1U << PRQ_TAG_GEN_BITS) - 1)
#define PRQ_TAG_NONE		0U

enum prq_drop {		/* why a guest answer was dropped */
	PRQ_DROP_UNKNOWN_TAG = 0,	/* never issued / slot free */
	PRQ_DROP_STALE,			/* generation mismatch: old tag */
	PRQ_DROP_DUPLICATE,		/* answered already (by guest or vsva) */
	PRQ_DROP_MISROUTED,		/* wrong endpoint or PASID */
	PRQ_DROP_BAD_CODE,		/* unknown code or flags */
	PRQ_DROP__COUNT
};

enum prq_auto {		/* why vsva answered on the guest's behalf */
	PRQ_AUTO_QUEUE_FULL = 0,	/* no room in the guest's queue */
	PRQ_AUTO_NO_QUEUE,		/* the guest has no page-request queue */
	PRQ_AUTO_DETACH,		/* PASID detached (host auto-answered) */
	PRQ_AUTO_REPLACE,		/* table replaced (host auto-answered) */
	PRQ_AUTO_DEVICE_RESET,
	PRQ_AUTO_GUEST_RESET,
	PRQ_AUTO_VM_EXIT,
	PRQ_AUTO_TIMEOUT,
	PRQ_AUTO_UNKNOWN_DEVICE,	/* dev_id maps to no endpoint */
	PRQ_AUTO__COUNT
};

struct prq_tag {
	bool live;
	u32 gen;		/* generation of this slot's current tag */
	u32 cookie;
	u32 endpoint;
	u32 pasid;
	bool pasid_valid;
	u32 nr;			/* records in the group */
	u64 t_read, t_pushed;	/* timestamps (ns) for the results table */
	u32 next_free;
	bool wrapped;		/* gen wrapped: every other gen was issued */
	u32 vsva_gen;		/* gen of the last tag vsva answered, 0: none */
};

struct prq_stats {
	u64 groups, records;
	u64 answered_by_guest;
	u64 guest_failure;		/* guest said Response Failure */
	u64 answered_by_vsva[PRQ_AUTO__COUNT];
	u64 dropped[PRQ_DROP__COUNT];
	u64 tags_exhausted;		/* no free tag: auto-answered */
	u64 bad_records;		/* bytes of unusable host records / 40 */
	u64 masked_flags;		/* records with unknown flag bits */
	u64 late_answers;		/* subset of dropped: tag of a drained group */
};

struct prq_table {
	struct prq_tag tags[PRQ_MAX_TAGS];
	u32 free_head;		/* PRQ_MAX_TAGS = none; FIFO: */
	u32 free_tail;		/* freed slots go last (slow reuse) */
	u32 nr_live;
	u32 cap;		/* usable slots, <= PRQ_MAX_TAGS */
	struct prq_stats stats;
};

/* @cap limits live tags (the outstanding page requests vsva may hold). */
void prq__init(struct prq_table *t, u32 cap);

/* --- host -> guest --- */
/*
 * Allocate a tag for @g and write one guest record per host record into
 * @out (room for g->nr), endpoint @ep (the guest's ID for the host
 * dev_id).  Flags: PASID_VALID, LAST on the group's last record,
 * READ/WRITE/EXEC/PRIV from perm; unknown host flag/perm bits are masked
 * (and counted).  Returns the tag, or -ENOSPC when no tag is free (the
 * caller answers the host itself: PRQ_AUTO_QUEUE_FULL is counted by the
 * caller via prq__count_auto()), -EINVAL if g->nr is 0 or too big.  The
 * tag is bound to the endpoint and to the PASID (or none) of the group's
 * last record: that is the PASID the host answers with.
 */
int prq__translate_group(struct prq_table *t, const struct prq_group *g,
			 u32 ep, u64 now, struct virtio_iommu_page_req *out);

/* --- guest -> host --- */
/*
 * Validate a guest PAGE_RESP and turn it into a host response.  On
 * success returns VIRTIO_IOMMU_S_OK, fills *resp, frees the tag and sets
 * *failure if the guest said Response Failure (sent as INVALID: the host
 * knows only SUCCESS and INVALID).  Otherwise returns the status for the
 * guest (NOENT: unknown, stale or already answered tag; INVAL: misrouted,
 * bad code or flags), leaves the tag alone and counts the drop.
 */
u8 prq__guest_response(struct prq_table *t,
		       const struct virtio_iommu_req_page_resp *r,
		       struct prq_host_resp *resp, bool *failure);

/*
 * Drain: every live tag of @ep (every endpoint if PRQ_ALL_ENDPOINTS) and
 * of @pasid (every PASID if PRQ_ALL_PASIDS; 0 also matches groups raised
 * without a PASID) is dropped and counted as answered by vsva for
 * @why.  If @respond, a host response {cookie, INVALID} is appended to @b
 * for each (vsva answers); if not, the host already answered them
 * (detach/replace auto-answer) and only the tags go (@b may be NULL).
 * Returns how many.  If @b fills up the drain stops there and the rest
 * stay live: flush @b and call again until it returns 0.
 * Guest answers to those tags later are dropped (PRQ_DROP_STALE or
 * _DUPLICATE) and counted as late.
 */
#define PRQ_ALL_PASIDS		(~0U)
#define PRQ_ALL_ENDPOINTS	(~0U)
struct prq_resp_batch;
int prq__drain(struct prq_table *t, u32 ep, u32 pasid, enum prq_auto why,
	       bool respond, struct prq_resp_batch *b);

void prq__count_auto(struct prq_table *t, enum prq_auto why);

/*
 * vsva answers one group itself (guest timeout, records that could not be
 * pushed after all): the tag is freed and counted for @why, and if @b is
 * not NULL {cookie, @code} is appended to it.  Returns 0, -ENOENT if @tag
 * is not live, -ENOSPC if @b is full (the tag stays live).
 */
int prq__auto_answer(struct prq_table *t, u32 tag, enum prq_auto why,
		     struct prq_resp_batch *b, u32 code);

/* The live slot of @tag (e.g. to set t_pushed), or NULL. */
struct prq_tag *prq__lookup(struct prq_table *t, u32 tag);

/* --- response batches and short writes --- */
#define PRQ_BATCH_MAX		256

struct prq_resp_batch {
	struct prq_host_resp r[PRQ_BATCH_MAX];
	u32 nr;
	u64 short_writes;	/* times the host refused an entry */
	u64 refused;		/* entries the host refused */
};

/* Append; returns -ENOSPC if full (flush first). */
int prq_batch__add(struct prq_resp_batch *b, u32 cookie, u32 code);
/*
 * The host consumed @written bytes of the batch (a write() result).  A
 * short write means the first unwritten entry was refused: it is dropped
 * and counted, the rest stay queued for the next write (a write that
 * failed with EINVAL refused the first entry: pass 0).  Returns the
 * number of entries still queued; -EINVAL if @written is not a multiple of
 * 8 or exceeds the batch.
 */
int prq_batch__consumed(struct prq_resp_batch *b, size_t written);

#endif
