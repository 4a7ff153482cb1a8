/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-iommu driver (virtio 1.3 device 23, plus vsva's extension: see
 * docs/virtio-iommu-ext.md and include/vsva/virtio-iommu-abi.h).
 *
 * Feature negotiation, the configuration, a synchronous request queue, the
 * event queue (24-byte fault reports) and, with F_VSVA_PAGE_REQ, the
 * page-request queue. Everything is polled.
 *
 * Request helpers return the tail's status (VIRTIO_IOMMU_S_*, >= 0) or a
 * negative errno: -ENODATA if the device handed the buffer back unwritten
 * (used length 0), -EPROTO if its used length does not end at the tail,
 * -ETIMEDOUT, -EIO once a request timed out (the queue is then unusable).
 * v->used is the used length of the last request either way. Requests
 * are built in the driver's own scratch memory, so a late write from the
 * device never lands in the caller's buffers.
 */
#ifndef FW_VIOMMU_H
#define FW_VIOMMU_H

#include <vsva/virtio-iommu-abi.h>

#include "dt.h"
#include "virtio-pci.h"

#define VIOMMU_PCI_DEVICE	VIRTIO_PCI_DEVICE_MODERN(VIRTIO_ID_IOMMU)

#define VIOMMU_REQ_QUEUE_SIZE	8
#define VIOMMU_EVT_BUFS		16
/* As many as a PRI device may have outstanding (64 for vsva's SVA device),
 * so a whole group always finds room. */
#define VIOMMU_PRQ_BUFS		64
#define VIOMMU_MAX_RESV		8
#define VIOMMU_MAX_PROBE_SIZE	(64 * 1024)
#define VIOMMU_REQ_TIMEOUT_MS	2000

/* Fills device-writable parts before a request: not a valid status, so
 * a buffer the device did not write stays recognisable. */
#define VIOMMU_POISON		0xa5

/* The features this driver accepts when offered (never F_BYPASS, which
 * F_BYPASS_CONFIG supersedes). */
#define VIOMMU_FEATURES							\
	(BIT_ULL(VIRTIO_IOMMU_F_INPUT_RANGE) |				\
	 BIT_ULL(VIRTIO_IOMMU_F_DOMAIN_RANGE) |				\
	 BIT_ULL(VIRTIO_IOMMU_F_MAP_UNMAP) |				\
	 BIT_ULL(VIRTIO_IOMMU_F_PROBE) |				\
	 BIT_ULL(VIRTIO_IOMMU_F_MMIO) |					\
	 BIT_ULL(VIRTIO_IOMMU_F_BYPASS_CONFIG) |			\
	 BIT_ULL(VIRTIO_IOMMU_F_VSVA_TABLE) |				\
	 BIT_ULL(VIRTIO_IOMMU_F_VSVA_INVAL) |				\
	 BIT_ULL(VIRTIO_IOMMU_F_VSVA_PAGE_REQ))

struct viommu_resv {
	u8 subtype;
	u64 start;
	u64 end;		/* inclusive */
};

/* An endpoint's PROBE properties, parsed. */
struct viommu_probe {
	int nr_resv;
	struct viommu_resv resv[VIOMMU_MAX_RESV];
	bool has_vsva;
	struct virtio_iommu_probe_vsva vsva;
	int nr_ignored;		/* unknown types, reserved bits set */
	u32 end;		/* offset where the list ended */
	bool rest_zero;		/* every byte from `end` on is zero */
};

struct viommu {
	struct virtio_dev vd;
	struct virtio_iommu_config cfg;		/* as read at init */
	struct virtq reqq;
	struct virtq evtq;
	struct virtq prq;
	bool has_prq;				/* F_VSVA_PAGE_REQ: queue 2 */
	bool broken;				/* a request timed out */
	u8 *scratch;				/* request memory */
	u32 scratch_len;
	struct virtio_iommu_fault *evt;		/* event buffers, 24 bytes */
	struct virtio_iommu_page_req *prq_bufs;
	u32 used;				/* of the last request */
	u64 events_bad;				/* reports of a wrong length */
};

/* The vIOMMU's PCI function: the tree's vsva,name = "virtio-iommu" node,
 * else a config-space scan; 0 or -ENOENT. */
int viommu__find(const void *fdt, struct dt_pci_dev *dev);

/*
 * Resets and starts the device: negotiates VIOMMU_FEATURES, reads the
 * configuration, sets up the request and event queues (posting the event
 * buffers) and, if negotiated, the page-request queue.
 */
int viommu__init(struct viommu *v, u16 bdf);
void viommu__reset(struct viommu *v);

bool viommu__has(const struct viommu *v, unsigned int feature);

/* Re-reads the configuration (generation-checked) into v->cfg. */
int viommu__read_config(struct viommu *v);
/* Writes the config field `bypass` (F_BYPASS_CONFIG); 0 or -EOPNOTSUPP. */
int viommu__set_bypass(struct viommu *v, bool on);

/*
 * Raw submission: out_len device-readable bytes from `out`, then in_len
 * device-writable bytes, copied back into `in` afterwards (so bytes the
 * device did not write keep what the caller put there). Either length may
 * be 0, not both. 0 (v->used set) or a negative errno.
 */
int viommu__submit(struct viommu *v, const void *out, u32 out_len,
		   void *in, u32 in_len);

/*
 * A whole request of len bytes whose last in_len bytes (>= the tail) are
 * device-writable: poisons those, submits, copies the result back into
 * req; returns the tail's status or a negative errno (see above).
 */
int viommu__request(struct viommu *v, void *req, u32 len, u32 in_len);

int viommu__attach(struct viommu *v, u32 domain, u32 endpoint, u32 flags);
int viommu__detach(struct viommu *v, u32 domain, u32 endpoint);
/* [virt_start, virt_end] inclusive, as on the wire. */
int viommu__map(struct viommu *v, u32 domain, u64 virt_start, u64 virt_end,
		u64 phys_start, u32 flags);
int viommu__unmap(struct viommu *v, u32 domain, u64 virt_start,
		  u64 virt_end);
/* Fills *p when the status is OK (malformed properties: -EBADMSG). */
int viommu__probe(struct viommu *v, u32 endpoint, struct viommu_probe *p);

/* Extension (F_VSVA_TABLE): binds (endpoint, pasid) to an x86-64 table. */
int viommu__attach_table(struct viommu *v, u32 endpoint, u32 pasid,
			 u32 flags, int levels, u64 root);
int viommu__detach_table(struct viommu *v, u32 endpoint, u32 pasid);
/* Extension (F_VSVA_INVAL): nr in 1..VSVA_INV_MAX_ENTRIES. status gets the
 * device-written per-entry statuses and their padding: ALIGN_UP(nr, 4)
 * bytes (filled only when the tail was written). */
int viommu__invalidate(struct viommu *v,
		       const struct virtio_iommu_inv_entry *entries, u32 nr,
		       u8 *status);

/*
 * Parses a PROBE property list of `size` bytes. -EBADMSG if a property
 * runs past the end; unknown types and properties with reserved type bits
 * are skipped (counted).
 */
int viommu__parse_probe(const u8 *props, u32 size, struct viommu_probe *p);

/*
 * Takes one fault report off the event queue and posts its buffer again:
 * 1 with *f filled, 0 if none is pending, -EPROTO for a report of the
 * wrong length (counted; the buffer is reposted).
 */
int viommu__event_poll(struct viommu *v, struct virtio_iommu_fault *f);
/* Polls for up to timeout_ms: 1, 0 (nothing came) or -EPROTO. */
int viommu__event_wait(struct viommu *v, struct virtio_iommu_fault *f,
		       u32 timeout_ms);

/* Page-request queue (F_VSVA_PAGE_REQ): one record, as event_poll. */
int viommu__prq_poll(struct viommu *v, struct virtio_iommu_page_req *r);

/* "OK", "INVAL", ..., or for negative values what went wrong. */
const char *viommu__status_str(int status);
const char *viommu__fault_reason_str(u8 reason);

#endif
