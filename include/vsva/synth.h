/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A synthetic page-request storm: devices raising groups into the emul
 * fault queue at a configured rate, through the real relay, answered by a
 * guest stand-in that answers every group as soon as it lands in its
 * queue (through the same PAGE_RESP validation a real guest's answers
 * take).  For `vsva inject` and `make bench`.
 */
#ifndef VSVA_SYNTH_H
#define VSVA_SYNTH_H

#include <vsva/hist.h>
#include <vsva/relay.h>

#define SYNTH_MAX_DEVS		8

struct synth_config {
	u64 requests;		/* total page requests to raise */
	u32 rate;		/* requests/s; 0 = as fast as possible */
	u32 group_min, group_max;	/* records per group */
	u32 pasids;		/* PASIDs per device */
	u32 devices;
	u32 window;		/* outstanding groups per device (PRI) */
	enum relay_mode mode;
	u32 guest_queue;	/* guest page-request queue size (records) */
	u32 seed;
	bool guest_silent;	/* the guest never answers */
	u64 timeout_ns;		/* the relay's timeout policy (0: off) */
	bool pin;		/* relay on CPU 1, everything else on CPU 0 */
	/* Per-device timeout policies (0: timeout_ns). */
	u64 dev_timeout_ns[SYNTH_MAX_DEVS];
};

struct synth_result {
	u64 requests, groups;
	u64 answered_ok, answered_invalid;
	double seconds;
	double requests_per_s;
	struct hist rtt;	/* device raises -> device gets the answer */
	struct relay_stats relay;
	u64 host_refused;
	u64 misrouted;		/* answers for a group of another device/PASID */
	u64 unanswered;		/* groups never answered (must be 0) */
	u64 duplicate;		/* groups answered twice (must be 0) */
	u64 dev_rtt_min[SYNTH_MAX_DEVS], dev_rtt_max[SYNTH_MAX_DEVS];	/* ns */
};

int synth__run(const struct synth_config *cfg, struct synth_result *res);

#endif
