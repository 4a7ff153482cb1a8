/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The emul backend's fault queue: what the kernel's IOMMUFD fault object
 * is, in process, behind a real file descriptor the relay reads and writes
 * like the kernel's.  Devices raise page requests here; complete groups
 * (the last request of a PRG closes it) get a cookie, lowest free first,
 * and go to the FD as 40-byte iommu_hwpt_pgfault records; 8-byte
 * {cookie, code} responses written to the FD are routed back to the
 * device.  Detaching or replacing a (device, PASID) attachment answers its
 * outstanding groups INVALID, as the kernel does.
 *
 * How the FD differs from the kernel's (docs/relay.md):
 *  - it is a SOCK_SEQPACKET socket: the host thread sends queued groups as
 *    messages of whole groups (up to 256 records), so a read returns the
 *    whole groups of one message; a buffer smaller than the message
 *    truncates it (the relay reads with room for 256 records; the kernel
 *    instead returns only the groups that fit);
 *  - an empty queue reads as -EAGAIN (the kernel returns 0);
 *  - a write is always accepted whole: the responses are processed in
 *    order and processing stops at the first unknown cookie or bad code,
 *    exactly as in the kernel, but the writer cannot see a short write;
 *    the refusals are counted here (emul_fq_stats.refused);
 *  - cookies are allocated when a group is queued to the FD, not when it
 *    is read.
 */
#ifndef VSVA_EMUL_FQ_H
#define VSVA_EMUL_FQ_H

#include <pthread.h>
#include <vsva/prq.h>
#include <vsva/hist.h>
#include <vsva/relay.h>

#define EMUL_FQ_MAX_DEVS	16
#define EMUL_FQ_MAX_GROUPS	1024	/* outstanding (cookies) */

struct emul_fq_dev_ops {
	/* The answer to group @grpid of @pasid: IOMMUFD_PAGE_RESP_*. */
	void (*page_response)(void *dev, u32 pasid, bool pasid_valid,
			      u32 grpid, u32 code);
};

struct emul_fq_stats {
	u64 requests, groups;
	u64 responses;
	u64 refused;		/* unknown cookie or bad code in a response */
	u64 auto_invalid;	/* groups answered on detach/replace/destroy */
	u64 no_handler;		/* requests with no fault-capable attachment */
	u64 partial_dropped;
	struct hist rtt;	/* device raises the group -> response, ns */
	struct hist back;	/* guest answered -> device has it (guest-
				   answered groups only), ns */
	struct hist rtt_guest;	/* rtt of the guest-answered groups */
};

struct emul_fq;

int emul_fq__create(struct emul_fq **out);
/* Start the host-side thread (responses in, queued groups out). */
int emul_fq__start(struct emul_fq *fq);
/* Answers everything INVALID, stops the thread, closes both ends. */
void emul_fq__destroy(struct emul_fq *fq);
/* The relay's end of the queue. */
int emul_fq__fd(struct emul_fq *fq);

/* A device that raises page requests; returns its dev_id (> 0). */
int emul_fq__add_device(struct emul_fq *fq, const struct emul_fq_dev_ops *ops,
			void *dev);
/* The device goes away: its groups are answered INVALID (it is still
 * there to hear it), then it is forgotten. */
void emul_fq__remove_device(struct emul_fq *fq, u32 dev_id);
/* (dev, pasid) now has a fault-capable stage-1 table, or no longer. */
void emul_fq__attach(struct emul_fq *fq, u32 dev_id, u32 pasid);
void emul_fq__detach(struct emul_fq *fq, u32 dev_id, u32 pasid);

/*
 * One page request from a device.  @last closes the group @grpid.
 * Returns 0, or -ENOENT if (dev, pasid) has no fault-capable attachment:
 * the device is answered INVALID at once (the kernel's "no handler").
 */
int emul_fq__page_request(struct emul_fq *fq, u32 dev_id, u32 pasid,
			  bool pasid_valid, u32 grpid, u32 perm, u64 addr,
			  bool last);

void emul_fq__stats(struct emul_fq *fq, struct emul_fq_stats *out);
/* When a group was raised (ns, CLOCK_MONOTONIC), for timelines; 0 if the
 * cookie is not outstanding. */
u64 emul_fq__raised_at(struct emul_fq *fq, u32 cookie);
/* The relay's note: the guest answered group @cookie at @t. */
void emul_fq__answered(struct emul_fq *fq, u32 cookie, u64 t);
/* The two above as a relay's host ops (relay_config.h = the queue). */
extern const struct relay_host_ops emul_fq__relay_host_ops;

#endif
