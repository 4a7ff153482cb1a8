// SPDX-License-Identifier: GPL-2.0
/*
 * The emul fault queue against the kernel's rules: groups closed by the
 * last request (partials matched by device and PRG index, not PASID),
 * lowest-free cookies reused after an answer, answers processed in order
 * up to the first unknown cookie, INVALID auto-answers on detach.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <vsva/emul-fq.h>

struct answer {
	u32 pasid, grpid, code;
};

static struct answer answers[64];
static volatile int nr_answers;

static void on_answer(void *dev, u32 pasid, bool pasid_valid, u32 grpid,
		      u32 code)
{
	answers[nr_answers % 64] = (struct answer){ pasid, grpid, code };
	__atomic_add_fetch(&nr_answers, 1, __ATOMIC_SEQ_CST);
}

static const struct emul_fq_dev_ops ops = { .page_response = on_answer };

static struct emul_fq *fq;
static u32 dev;

static void setup(void)
{
	nr_answers = 0;
	cr_assert_eq(emul_fq__create(&fq), 0);
	dev = (u32)emul_fq__add_device(fq, &ops, NULL);
	cr_assert_gt(dev, 0);
	cr_assert_eq(emul_fq__start(fq), 0);
}

static void teardown(void)
{
	emul_fq__destroy(fq);
}

TestSuite(emul_fq, .init = setup, .fini = teardown);

/* Read one message of records from the relay's end (waits up to 1 s). */
static int read_recs(struct prq_host_fault *rec, int max)
{
	struct pollfd p = { .fd = emul_fq__fd(fq), .events = POLLIN };
	ssize_t n;

	if (poll(&p, 1, 1000) != 1)
		return 0;
	n = read(emul_fq__fd(fq), rec, (size_t)max * sizeof(*rec));
	return n < 0 ? -errno : (int)(n / (ssize_t)sizeof(*rec));
}

static void respond(u32 cookie, u32 code)
{
	struct prq_host_resp r = { cookie, code };

	cr_assert_eq(write(emul_fq__fd(fq), &r, sizeof(r)), sizeof(r));
}

static void wait_answers(int n)
{
	for (int i = 0; i < 1000 && nr_answers < n; i++)
		usleep(1000);
	cr_assert_eq(nr_answers, n);
}

Test(emul_fq, group_closed_by_last_and_records_exact)
{
	struct prq_host_fault rec[8];

	emul_fq__attach(fq, dev, 5);
	emul_fq__attach(fq, dev, 6);
	cr_assert_eq(emul_fq__page_request(fq, dev, 5, true, 7,
					   IOMMU_PGFAULT_PERM_READ, 0x1000,
					   false), 0);
	/* Same PRG index, other PASID: one group (the kernel's match). */
	cr_assert_eq(emul_fq__page_request(fq, dev, 6, true, 7,
					   IOMMU_PGFAULT_PERM_WRITE, 0x2000,
					   false), 0);
	cr_assert_eq(read_recs(rec, 8), 0, "nothing before the last");
	cr_assert_eq(emul_fq__page_request(fq, dev, 5, true, 7,
					   IOMMU_PGFAULT_PERM_READ |
					   IOMMU_PGFAULT_PERM_PRIV, 0x3000,
					   true), 0);
	cr_assert_eq(read_recs(rec, 8), 3);
	cr_assert_eq(rec[0].addr, 0x1000);
	cr_assert_eq(rec[1].addr, 0x2000);
	cr_assert_eq(rec[1].pasid, 6);
	cr_assert_eq(rec[2].addr, 0x3000);
	cr_assert_eq(rec[0].flags, IOMMU_PGFAULT_FLAGS_PASID_VALID);
	cr_assert_eq(rec[2].flags, IOMMU_PGFAULT_FLAGS_PASID_VALID |
		     IOMMU_PGFAULT_FLAGS_LAST_PAGE);
	cr_assert_eq(rec[2].perm, IOMMU_PGFAULT_PERM_READ |
		     IOMMU_PGFAULT_PERM_PRIV);
	cr_assert_eq(rec[0].cookie, 1, "lowest free cookie first");
	cr_assert_eq(rec[2].cookie, 1, "one cookie per group");
	cr_assert_eq(rec[2].dev_id, dev);
	cr_assert_eq(rec[2].grpid, 7);
	respond(1, IOMMUFD_PAGE_RESP_SUCCESS);
	wait_answers(1);
	cr_assert_eq(answers[0].grpid, 7);
	cr_assert_eq(answers[0].pasid, 5, "answered with the last's PASID");
	cr_assert_eq(answers[0].code, IOMMUFD_PAGE_RESP_SUCCESS);
}

Test(emul_fq, cookies_reused_lowest_first)
{
	struct prq_host_fault rec[8];

	emul_fq__attach(fq, dev, 1);
	emul_fq__page_request(fq, dev, 1, true, 1, 1, 0x1000, true);
	emul_fq__page_request(fq, dev, 1, true, 2, 1, 0x2000, true);
	cr_assert_eq(read_recs(rec, 8) + read_recs(rec + 1, 7), 2);
	cr_assert_eq(rec[0].cookie, 1);
	cr_assert_eq(rec[1].cookie, 2);
	respond(1, IOMMUFD_PAGE_RESP_INVALID);
	wait_answers(1);
	cr_assert_eq(answers[0].code, IOMMUFD_PAGE_RESP_INVALID);
	emul_fq__page_request(fq, dev, 1, true, 3, 1, 0x3000, true);
	cr_assert_eq(read_recs(rec, 8), 1);
	cr_assert_eq(rec[0].cookie, 1, "freed cookie 1 comes back first");
}

Test(emul_fq, answers_stop_at_first_unknown_cookie)
{
	struct prq_host_fault rec[8];
	struct emul_fq_stats st;
	struct prq_host_resp r[3];

	emul_fq__attach(fq, dev, 1);
	emul_fq__page_request(fq, dev, 1, true, 1, 1, 0x1000, true);
	emul_fq__page_request(fq, dev, 1, true, 2, 1, 0x2000, true);
	cr_assert_eq(read_recs(rec, 8) + read_recs(rec + 1, 7), 2);
	r[0] = (struct prq_host_resp){ 1, 0 };
	r[1] = (struct prq_host_resp){ 99, 0 };	/* forged */
	r[2] = (struct prq_host_resp){ 2, 0 };
	cr_assert_eq(write(emul_fq__fd(fq), r, sizeof(r)), sizeof(r));
	wait_answers(1);
	usleep(20000);
	cr_assert_eq(nr_answers, 1, "processing stops at the forged cookie");
	emul_fq__stats(fq, &st);
	cr_assert_eq(st.refused, 2);
	respond(2, 5);				/* bad code */
	usleep(20000);
	cr_assert_eq(nr_answers, 1);
	respond(2, 0);
	wait_answers(2);
}

Test(emul_fq, detach_answers_invalid_and_frees_cookies)
{
	struct prq_host_fault rec[8];

	emul_fq__attach(fq, dev, 4);
	emul_fq__page_request(fq, dev, 4, true, 9, 1, 0x1000, true);
	cr_assert_eq(read_recs(rec, 8), 1);
	emul_fq__page_request(fq, dev, 4, true, 10, 1, 0x2000, false);
	emul_fq__detach(fq, dev, 4);
	wait_answers(1);
	cr_assert_eq(answers[0].code, IOMMUFD_PAGE_RESP_INVALID);
	cr_assert_eq(answers[0].grpid, 9);
	respond(rec[0].cookie, 0);		/* late: refused */
	usleep(20000);
	cr_assert_eq(nr_answers, 1);
	/* No handler any more: the device is answered at once. */
	cr_assert_eq(emul_fq__page_request(fq, dev, 4, true, 11, 1, 0x3000,
					   true), -ENOENT);
	wait_answers(2);
	cr_assert_eq(answers[1].code, IOMMUFD_PAGE_RESP_INVALID);
}
