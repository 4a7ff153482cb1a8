// SPDX-License-Identifier: GPL-2.0
/*
 * The synthetic storm (include/vsva/synth.h).  Source threads play the
 * devices; the relay is the real one; the guest stand-in keeps a bounded
 * queue of pushed records and answers whole groups when the relay kicks
 * it, on the relay thread, through relay__page_resp().
 */
#include <errno.h>
#include <sched.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>

#include <vsva/emul-fq.h>
#include <vsva/log.h>
#include <vsva/synth.h>

#define SYNTH_MAX_WINDOW	64

struct synth;

struct synth_dev {
	struct synth *s;
	u32 dev_id, ep;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	u32 outstanding;
	struct {
		bool busy;
		u32 pasid;
		u64 t0;
	} prg[512];
	u64 raised, groups;
	u64 ok, invalid, misrouted, duplicate;
	struct hist rtt;
};

struct synth {
	struct synth_config cfg;
	struct emul_fq *fq;
	struct relay *relay;
	struct synth_dev dev[SYNTH_MAX_DEVS];
	/* the guest stand-in */
	struct virtio_iommu_page_req *q;
	u32 q_len, q_size;
	u64 raised_total;
	pthread_mutex_t total_lock;
	cpu_set_t cpus;		/* the caller's, restored after a pinned run */
	bool pinned;
};

static u64 synth__now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + (u64)ts.tv_nsec;
}

/* The calling thread, and the threads it creates from now on, on @cpu. */
static void synth__pin(int cpu)
{
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (sched_setaffinity(0, sizeof(one), &one))
		pr_warn("synth: pinning to CPU %d: %s", cpu, strerror(errno));
}

static u32 synth__rand(u32 *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 17;
	*state ^= *state << 5;
	return *state;
}

/* --- the device side --- */

static void synth__page_response(void *opaque, u32 pasid, bool pasid_valid,
				 u32 grpid, u32 code)
{
	struct synth_dev *d = opaque;
	u64 now = synth__now();

	pthread_mutex_lock(&d->lock);
	if (!d->prg[grpid & 511].busy) {
		d->duplicate++;
	} else if (d->prg[grpid & 511].pasid != pasid || !pasid_valid) {
		d->misrouted++;
	} else {
		hist__add(&d->rtt, now - d->prg[grpid & 511].t0);
		if (code == IOMMUFD_PAGE_RESP_SUCCESS)
			d->ok++;
		else
			d->invalid++;
		d->prg[grpid & 511].busy = false;
		d->outstanding--;
		pthread_cond_signal(&d->cond);
	}
	pthread_mutex_unlock(&d->lock);
}

static const struct emul_fq_dev_ops synth_fq_ops = {
	.page_response = synth__page_response,
};

/* Take up to @want requests from the global budget. */
static u32 synth__take(struct synth *s, u32 want)
{
	u32 got;

	pthread_mutex_lock(&s->total_lock);
	got = (u32)MIN((u64)want, s->cfg.requests - s->raised_total);
	s->raised_total += got;
	pthread_mutex_unlock(&s->total_lock);
	return got;
}

static void *synth__dev_thread(void *arg)
{
	struct synth_dev *d = arg;
	struct synth *s = d->s;
	u32 seed = s->cfg.seed + d->dev_id * 7919;
	u64 start = synth__now();
	u32 prg = 0;

	/* Paced storms sleep to the microsecond, not to the default 50. */
	prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);

	for (;;) {
		u32 span = s->cfg.group_max - s->cfg.group_min + 1;
		u32 n = s->cfg.group_min + synth__rand(&seed) % span;
		u32 pasid = 1 + synth__rand(&seed) % s->cfg.pasids;
		u64 t0;

		n = synth__take(s, n);
		if (!n)
			break;
		if (s->cfg.rate) {
			/* Pace to the rate, shared evenly by the devices. */
			u64 due = start + (u64)((double)d->raised * 1e9 *
						 s->cfg.devices / s->cfg.rate);

			/* Sleep, not spin: on a small machine a spinning
			 * source would starve the relay it measures. */
			if (synth__now() < due) {
				struct timespec ts = {
					.tv_sec = (time_t)(due / 1000000000ULL),
					.tv_nsec = (long)(due % 1000000000ULL),
				};

				while (clock_nanosleep(CLOCK_MONOTONIC,
						       TIMER_ABSTIME, &ts,
						       NULL) == EINTR)
					;
			}
		}
		pthread_mutex_lock(&d->lock);
		while (d->outstanding >= s->cfg.window)
			pthread_cond_wait(&d->cond, &d->lock);
		while (d->prg[prg].busy)
			prg = (prg + 1) & 511;
		t0 = synth__now();
		d->prg[prg].busy = true;
		d->prg[prg].pasid = pasid;
		d->prg[prg].t0 = t0;
		d->outstanding++;
		pthread_mutex_unlock(&d->lock);
		for (u32 i = 0; i < n; i++)
			emul_fq__page_request(s->fq, d->dev_id, pasid, true, prg,
					      IOMMU_PGFAULT_PERM_READ |
					      (i & 1 ? IOMMU_PGFAULT_PERM_WRITE : 0),
					      0x7f0000000000ULL +
					      ((u64)prg << 24) + i * 4096ULL,
					      i == n - 1);
		d->raised += n;
		d->groups++;
		prg = (prg + 1) & 511;
	}
	/* Wait for the last answers. */
	pthread_mutex_lock(&d->lock);
	while (d->outstanding)
		pthread_cond_wait(&d->cond, &d->lock);
	pthread_mutex_unlock(&d->lock);
	return NULL;
}

/* --- the guest stand-in (relay thread) --- */

static int synth__room(void *g)
{
	struct synth *s = g;

	return (int)(s->q_size - s->q_len);
}

static void synth__push(void *g, const struct virtio_iommu_page_req *rec, u32 n)
{
	struct synth *s = g;

	memcpy(&s->q[s->q_len], rec, n * sizeof(*rec));
	s->q_len += n;
}

/* Answer every whole group in the queue, as a guest would after its
 * interrupt: one PAGE_RESP per LAST record. */
static void synth__kick(void *g)
{
	struct synth *s = g;

	if (s->cfg.guest_silent) {
		s->q_len = 0;	/* read, never answered */
		return;
	}
	for (u32 i = 0; i < s->q_len; i++) {
		const struct virtio_iommu_page_req *r = &s->q[i];
		struct virtio_iommu_req_page_resp resp = {
			.head.type = VIRTIO_IOMMU_T_PAGE_RESP,
			.endpoint = r->endpoint, .pasid = r->pasid,
			.flags = VSVA_PAGE_RESP_F_PASID_VALID,
			.tag = r->tag, .code = VSVA_PAGE_RESP_SUCCESS,
		};

		if (r->flags & VSVA_PRQ_F_LAST)
			relay__page_resp(s->relay, &resp);
	}
	s->q_len = 0;
}

static void synth__requests(void *g)
{
}

static const struct relay_guest_ops synth_guest_ops = {
	.room = synth__room,
	.push = synth__push,
	.kick = synth__kick,
	.requests = synth__requests,
};

int synth__run(const struct synth_config *cfg, struct synth_result *res)
{
	struct synth *s = calloc(1, sizeof(*s));
	struct relay_config rc;
	u64 t0, t1;
	int ret;

	if (!s)
		return -ENOMEM;
	if (!cfg->devices || cfg->devices > SYNTH_MAX_DEVS || !cfg->pasids ||
	    !cfg->group_min || cfg->group_min > cfg->group_max ||
	    cfg->group_max > PRQ_MAX_GROUP || !cfg->window ||
	    cfg->window > SYNTH_MAX_WINDOW) {
		free(s);
		return -EINVAL;
	}
	s->cfg = *cfg;
	s->q_size = cfg->guest_queue ? cfg->guest_queue : 4096;
	s->q = calloc(s->q_size, sizeof(*s->q));
	pthread_mutex_init(&s->total_lock, NULL);
	if (cfg->pin && (sched_getaffinity(0, sizeof(s->cpus), &s->cpus) ||
			 !CPU_ISSET(0, &s->cpus) || !CPU_ISSET(1, &s->cpus))) {
		ret = -EINVAL;	/* pinning wants CPUs 0 and 1 */
		goto out;
	}
	ret = emul_fq__create(&s->fq);
	if (ret)
		goto out;
	rc = (struct relay_config){
		.fd = emul_fq__fd(s->fq), .mode = cfg->mode,
		.guest = &synth_guest_ops, .g = s,
		.host = &emul_fq__relay_host_ops, .h = s->fq,
		.timeout_ns = cfg->timeout_ns,
	};
	ret = relay__create(&s->relay, &rc);
	if (ret)
		goto out;
	for (u32 i = 0; i < cfg->devices; i++) {
		struct synth_dev *d = &s->dev[i];

		d->s = s;
		pthread_mutex_init(&d->lock, NULL);
		pthread_cond_init(&d->cond, NULL);
		hist__init(&d->rtt);
		d->dev_id = (u32)emul_fq__add_device(s->fq, &synth_fq_ops, d);
		d->ep = 0x100 + i * 8;
		relay__map_device(s->relay, d->dev_id, d->ep);
		if (cfg->dev_timeout_ns[i])
			relay__set_timeout(s->relay, d->ep,
					   cfg->dev_timeout_ns[i]);
		for (u32 p = 1; p <= cfg->pasids; p++)
			emul_fq__attach(s->fq, d->dev_id, p);
	}
	/* Pinned: the relay alone on CPU 1, the host side on CPU 0 (threads
	 * take their creator's CPU mask). */
	s->pinned = cfg->pin;
	if (cfg->pin)
		synth__pin(0);
	ret = emul_fq__start(s->fq);
	if (!ret && cfg->pin)
		synth__pin(1);
	if (!ret)
		ret = relay__start(s->relay);
	if (cfg->pin)
		synth__pin(0);
	if (ret)
		goto out;

	t0 = synth__now();
	for (u32 i = 0; i < cfg->devices; i++)
		pthread_create(&s->dev[i].thread, NULL, synth__dev_thread,
			       &s->dev[i]);
	for (u32 i = 0; i < cfg->devices; i++)
		pthread_join(s->dev[i].thread, NULL);
	t1 = synth__now();
	relay__stop(s->relay);

	memset(res, 0, sizeof(*res));
	hist__init(&res->rtt);
	for (u32 i = 0; i < cfg->devices; i++) {
		struct synth_dev *d = &s->dev[i];

		res->requests += d->raised;
		res->groups += d->groups;
		res->answered_ok += d->ok;
		res->answered_invalid += d->invalid;
		res->misrouted += d->misrouted;
		res->duplicate += d->duplicate;
		hist__merge(&res->rtt, &d->rtt);
		res->dev_rtt_min[i] = d->rtt.count ? d->rtt.min : 0;
		res->dev_rtt_max[i] = d->rtt.max;
	}
	res->unanswered = res->groups - res->answered_ok - res->answered_invalid;
	res->seconds = (double)(t1 - t0) / 1e9;
	res->requests_per_s = res->seconds > 0 ?
			      (double)res->requests / res->seconds : 0;
	relay__stats(s->relay, &res->relay);
	{
		struct emul_fq_stats fs;

		emul_fq__stats(s->fq, &fs);
		res->host_refused = fs.refused;
	}
out:
	if (s->pinned)
		sched_setaffinity(0, sizeof(s->cpus), &s->cpus);
	relay__destroy(s->relay);
	emul_fq__destroy(s->fq);
	free(s->q);
	free(s);
	return ret;
}
