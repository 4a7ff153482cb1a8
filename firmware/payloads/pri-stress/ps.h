/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pri-stress: drives the SVA DMA device through the vIOMMU so that every
 * first touch of a buffer faults and travels the whole page-request path
 * (docs/pri-stress.md). Run with --viommu on --sva-dev.
 *
 * main.c: set-up, rounds, report; params.c: /chosen/bootargs and the job
 * mix's random numbers; jobs.c: building, running and checking jobs;
 * detach.c: the last round's DETACH_TABLE with requests outstanding;
 * failure.c: its Response Failure answer; timeout.c: its groups left to
 * vsva's page-request timeout (bootargs timeout=MS).
 *
 * Every PASID has the same layout: buffers are taken from PS_ALLOW_BASE
 * upwards each round (the same addresses again after the between-round
 * unmap and invalidation, so a missed invalidation shows as wrong data),
 * refused targets from PS_REFUSE_BASE. Buffers never share a page and
 * have an unmapped guard page after them.
 */
#ifndef PS_H
#define PS_H

#include <vsva/fw-report.h>

#include "prq.h"
#include "sva.h"
#include "viommu.h"

#define PS_PROG			"pri-stress"

#define PS_EXIT_OK		0
#define PS_EXIT_WRONG		1
#define PS_EXIT_SETUP		2	/* no device, bad parameters */

#define PS_ALLOW_BASE		0x0000001000000000ULL	/* 64 GiB */
#define PS_ALLOW_SIZE		0x0000001000000000ULL
#define PS_REFUSE_BASE		0x00007f0000000000ULL
#define PS_REFUSE_SIZE		0x0000001000000000ULL

#define PS_MAX_PASIDS		64
#define PS_MAX_PAGES		64
#define PS_MAX_JOBS		256	/* per PASID and round */
#define PS_DETACH_JOBS		4	/* at most: the detach phase */
#define PS_FAIL_JOBS		2	/* the Response Failure phase */
#define PS_TIMEOUT_JOBS		2	/* at most: the timeout phase */
/* Records in the phase-A page(s) besides the round's own jobs. */
#define PS_EXTRA_RECS		(PS_DETACH_JOBS + PS_FAIL_JOBS + \
				 PS_TIMEOUT_JOBS)
#define PS_MAX_TIMEOUT_MS	60000
#define PS_RECS_PER_PAGE	(4096 / sizeof(struct sva_completion))
#define PS_DIV_UP(a, b)		(((a) + (b) - 1) / (b))

#define PS_PHASE_MS		5000	/* plus PS_JOB_MS per job */
#define PS_JOB_MS		200

struct ps_params {
	u32 pasids, jobs, pages, rounds, seconds, invalid;
	u32 timeout;		/* ms, vsva's page-request timeout; 0: off */
	u64 seed;
};

enum ps_kind {
	PS_FILL,
	PS_COPY,
	PS_COMPARE,
	PS_BAD_FILL,		/* dst refused */
	PS_BAD_COPY_DST,	/* allowed src, refused dst */
	PS_BAD_COPY_SRC,	/* refused src, fresh allowed dst: mixed */
	PS_HELD,		/* FILL left waiting, then detached */
	PS_TIMED,		/* FILL left waiting until vsva times out */
};

enum ps_state {
	PS_PENDING,
	PS_SUBMITTED,
	PS_DONE,
};

struct ps_job {
	struct sva_desc d;
	u8 kind;		/* enum ps_kind */
	u8 state;		/* enum ps_state */
	u8 expect;		/* SVA_ST_* */
	u32 space;		/* index into ps.spaces */
	u64 cmpl;		/* completion record VA */
	volatile struct sva_completion *rec;	/* once mapped */
	/* Data the device must leave at dst: byte i is byte
	 * (phase + i) & 7 of pattern. */
	u64 pattern;
	u32 phase;
	u64 expect_result;	/* COMPARE: offset of the first difference */
};

/* Per PASID and round: where the next buffers go. */
struct ps_layout {
	u64 next_allow, next_refuse;
	/* Completion records: the FILLs' pages (A: also the refused jobs'
	 * and the last round's phases', as the FILLs get every page of it
	 * mapped) and the other jobs' (B). Slot s is in page s % pages, at
	 * s / pages. */
	u64 cmpl_a, cmpl_b;
	u32 pages_a, pages_b;
	u32 slot_a, slot_b;
	u64 patterns[3];	/* the FILLs' patterns: some COMPAREs match */
};

struct ps {
	struct ps_params p;
	struct viommu vi;
	struct sva sva;
	u32 domain;
	struct prq_space spaces[PS_MAX_PASIDS];
	struct prq_handler h;
	struct ps_layout lay[PS_MAX_PASIDS];
	/* This round's jobs: FILL k of space i is fills[k * pasids + i] */
	struct ps_job *fills, *rest;
	struct ps_job held[PS_DETACH_JOBS];
	struct ps_job fail[PS_FAIL_JOBS];	/* Response Failure phase */
	struct ps_job timed[PS_TIMEOUT_JOBS];	/* the timeout phase */
	u32 nr_fill;		/* per space */
	u64 user_seq;
	u64 t0;			/* TSC at start */

	u64 jobs_total, jobs_ok, jobs_failed, jobs_wrong;
	u64 rounds, detaches;
	u64 events_unexpected;
	u16 pri_status;		/* at the end: RF or UPRGI set is wrong */
	bool detach_ok;
	bool timeout_ok;	/* true too when the phase is off */
	bool aborted;		/* a phase timed out: the run stops */
	u32 wrong_printed;
	struct fw_stress_report report;
};

extern struct ps ps;

/* params.c */
int ps__parse_params(const void *fdt, struct ps_params *p);
void ps__seed(u64 seed);
u64 ps__rand(void);
/* Uniform in [0, n), n > 0. */
u32 ps__rand_below(u32 n);

/* jobs.c */
/* Resets the layouts for a round. */
void ps__round_begin(void);
/* Builds this round's FILLs (phase A) into ps.fills, or the rest (phase
 * B: COPY, COMPARE, refused targets) into ps.rest; returns how many. */
u32 ps__build_fills(void);
u32 ps__build_rest(void);
/* Runs jobs[0, n) to completion, serving page requests; checks and
 * counts each. 0, or -ETIMEDOUT (ps.aborted set) / a vIOMMU error. */
int ps__run(struct ps_job *jobs, u32 n);
/* Builds a FILL of `pages` fresh pages for space i with its record in the
 * (mapped) phase-A record page. */
void ps__build_held_fill(struct ps_job *j, u32 i, u32 pages);
/* Resolves j->rec through the space's table; false while unmapped. */
bool ps__resolve(struct ps_job *j);
void ps__job_wrong(struct ps_job *j, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Checks a finished job's record (state PS_DONE): counts it ok, failed
 * as expected, or wrong. */
void ps__check_job(struct ps_job *j);

/* Takes pending fault reports off the event queue, printing them;
 * returns how many. */
u32 ps__drain_events(const char *why);

/* detach.c */
/* The last round's detach of the last PASID with requests outstanding. */
int ps__detach_phase(void);
/* A phase's check failed: say so (prefixed "@phase check failed: "),
 * clear *@ok, return false. */
bool ps__phase_fail(bool *ok, const char *phase, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Submits @k held jobs, serving page requests while the device is busy,
 * for at most @ms; -EIO if they could not all be submitted. */
int ps__submit_held(struct ps_job *jobs, u32 k, u32 ms);

/* failure.c */
/* The last round's Response Failure answer (before the detach). */
int ps__failure_phase(void);

/* timeout.c */
/* The last round's groups held until vsva's timeout answers them (first
 * of the last round's phases); 0 at once if p.timeout is 0. */
int ps__timeout_phase(void);

#endif
