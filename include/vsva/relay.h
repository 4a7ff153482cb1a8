/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The page-request relay (docs/relay.md): one thread owns the host fault
 * FD, the tag table and the guest's page-request queue.  It reads the FD
 * through io_uring with a read linked behind a poll, both posted in
 * advance, so it sleeps in the ring until a group is queued and wakes with
 * the records already read (the kernel's fault FD returns 0 when empty, so
 * a bare pre-posted read would spin).  Groups become guest records (pure
 * code, prq.c); guest answers come back as PAGE_RESP on the virtio-iommu
 * requestq, which this thread also processes, so detach and replace happen
 * here too, between reads: no read is in flight when the host auto-answers
 * and reuses cookies.
 */
#ifndef VSVA_RELAY_H
#define VSVA_RELAY_H

#include <vsva/hist.h>
#include <vsva/prq.h>

struct relay;

enum relay_mode {
	RELAY_URING = 0,	/* io_uring, poll linked to read */
	RELAY_POLL,		/* poll() then read(): the eventfd-era design */
};

struct relay_guest_ops {
	/* Free buffers in the guest's page-request queue; -1: none set up. */
	int (*room)(void *g);
	void (*push)(void *g, const struct virtio_iommu_page_req *rec, u32 n);
	/* One interrupt for what was pushed since the last kick. */
	void (*kick)(void *g);
	/* Process the requestq (runs on the relay thread). */
	void (*requests)(void *g);
	/* The guest answered Response Failure for endpoint @ep. */
	void (*pri_failure)(void *g, u32 ep);
};

/* Optional: timestamps the host side knows (the emul fault queue). */
struct relay_host_ops {
	u64 (*raised_at)(void *h, u32 cookie);
	/* The guest answered group @cookie at @t (the return leg starts). */
	void (*answered)(void *h, u32 cookie, u64 t);
};

struct relay_config {
	int fd;			/* the fault FD */
	enum relay_mode mode;
	u32 max_tags;		/* outstanding groups vsva may hold */
	const struct relay_guest_ops *guest;
	void *g;
	const struct relay_host_ops *host;
	void *h;
	/* Answer INVALID for the guest after this long (0: never). */
	u64 timeout_ns;
};

struct relay_stats {
	struct prq_stats prq;
	u64 groups_in;		/* groups read from the host */
	u64 reads, empty_reads, read_bytes;
	u64 writes, write_errors;
	u64 kicks;
	u64 refused_by_host;	/* responses the host refused (short write) */
	u64 cpu_ns;		/* CPU time of the relay thread */
	u64 syscalls;		/* io_uring_enter, poll, read, write calls */
	struct hist dev_to_relay;	/* device raised -> relay read, ns */
	struct hist relay_to_guest;	/* read -> in the guest's queue */
	struct hist guest;		/* in the queue -> guest answered */
	struct hist relay_cost;		/* relay work per group (read->push) */
};

int relay__create(struct relay **out, const struct relay_config *cfg);
int relay__start(struct relay *r);
/* VM exit: answer what is outstanding (INVALID), stop the thread. */
void relay__stop(struct relay *r);
void relay__destroy(struct relay *r);
void relay__map_device(struct relay *r, u32 dev_id, u32 ep);
/*
 * Before relay__start(): endpoint @ep's own timeout policy, which
 * replaces cfg.timeout_ns for its groups (@ns 0: back to cfg.timeout_ns).
 * -EBUSY once started, -ENOSPC when the table is full.
 */
int relay__set_timeout(struct relay *r, u32 ep, u64 ns);
/* From any thread: process the requestq on the relay thread. */
void relay__kick_requests(struct relay *r);
/* From any thread but the relay's: run @fn(@arg) on the relay thread and
 * wait for it. */
void relay__call(struct relay *r, void (*fn)(struct relay *r, void *arg),
		 void *arg);
void relay__stats(struct relay *r, struct relay_stats *out);

/* --- on the relay thread only (from guest_ops->requests) --- */
u8 relay__page_resp(struct relay *r,
		    const struct virtio_iommu_req_page_resp *resp);
/*
 * Before a detach or table replacement: stop the armed read and take in
 * every group the host has queued.  After the host detached: relay__drop()
 * with respond = false (the host answered them itself).  For device or
 * guest reset: respond = true (vsva answers INVALID).
 */
void relay__quiesce(struct relay *r);
void relay__drop(struct relay *r, u32 ep, u32 pasid, enum prq_auto why,
		 bool respond);
void relay__flush(struct relay *r);

#endif
