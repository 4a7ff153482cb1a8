// SPDX-License-Identifier: GPL-2.0
/*
 * The mock SVA device's doorbell decoding (viommu/mock-sva-db.c) and the
 * command-line rules for --mock-sva-dev and --iommu-backend.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>

#include <vsva/mock-sva.h>
#include <vsva/prq.h>
#include <vsva/run.h>

#define V	MSVA_DB_PASID_VALID

static const struct msva_enables all_on = {
	.ctrl = true, .master = true, .pri = true, .pri_alloc = 64,
	.pasid = true, .pasid_exec = true, .pasid_priv = true,
};

static struct msva_doorbell good(void)
{
	return (struct msva_doorbell){
		.pasid = V | 5, .access = MSVA_ACC_READ | MSVA_ACC_WRITE,
		.addr = 0x7f0000123000ULL, .group = 511,
		.flags = MSVA_DB_F_LAST,
	};
}

/* The status of @db with @en; *@req untouched unless OK. */
static enum msva_db_status decode(struct msva_doorbell db,
				  struct msva_enables en,
				  struct msva_request *req)
{
	return msva__decode(&db, &en, req);
}

Test(mock_sva_db, good_ring_becomes_a_host_request)
{
	struct msva_request req;

	cr_assert_eq(decode(good(), all_on, &req), MSVA_DB_OK);
	cr_assert_eq(req.pasid, 5);
	cr_assert_eq(req.grpid, 511);
	cr_assert_eq(req.perm, IOMMU_PGFAULT_PERM_READ |
		     IOMMU_PGFAULT_PERM_WRITE);
	cr_assert_eq(req.addr, 0x7f0000123000ULL);
}

Test(mock_sva_db, every_access_bit_maps_to_the_host_perm)
{
	struct msva_doorbell db = good();
	struct msva_request req;

	db.access = MSVA_ACC_READ | MSVA_ACC_EXEC | MSVA_ACC_PRIV;
	cr_assert_eq(decode(db, all_on, &req), MSVA_DB_OK);
	cr_assert_eq(req.perm, IOMMU_PGFAULT_PERM_READ |
		     IOMMU_PGFAULT_PERM_EXEC | IOMMU_PGFAULT_PERM_PRIV);
	db.access = MSVA_ACC_WRITE;
	cr_assert_eq(decode(db, all_on, &req), MSVA_DB_OK);
	cr_assert_eq(req.perm, IOMMU_PGFAULT_PERM_WRITE);
}

Test(mock_sva_db, untagged_request_has_host_pasid_zero)
{
	struct msva_doorbell db = good();
	struct msva_request req = { .pasid = 99 };
	struct msva_enables en = all_on;

	db.pasid = 0;
	cr_assert_eq(decode(db, all_on, &req), MSVA_DB_OK);
	cr_assert_eq(req.pasid, 0);
	/* and it needs no PASID enable */
	en.pasid = en.pasid_exec = en.pasid_priv = false;
	cr_assert_eq(decode(db, en, &req), MSVA_DB_OK);
}

Test(mock_sva_db, bad_fields)
{
	struct msva_request req = { .pasid = 77 };
	struct {
		u32 pasid, access, group, flags;
		u64 addr;
	} bad[] = {
		{ V, MSVA_ACC_READ, 0, MSVA_DB_F_LAST, 0 },	/* PASID 0 */
		{ 5, MSVA_ACC_READ, 0, MSVA_DB_F_LAST, 0 },	/* no valid */
		{ V | (1U << 20), MSVA_ACC_READ, 0, MSVA_DB_F_LAST, 0 },
		{ V | (1U << 30), MSVA_ACC_READ, 0, MSVA_DB_F_LAST, 0 },
		{ V | 5, 0, 0, MSVA_DB_F_LAST, 0 },		/* no R/W */
		{ V | 5, MSVA_ACC_EXEC, 0, MSVA_DB_F_LAST, 0 },
		{ V | 5, MSVA_ACC_READ | 0x10, 0, MSVA_DB_F_LAST, 0 },
		{ 0, MSVA_ACC_READ | MSVA_ACC_PRIV, 0, MSVA_DB_F_LAST, 0 },
		{ 0, MSVA_ACC_READ | MSVA_ACC_EXEC, 0, MSVA_DB_F_LAST, 0 },
		{ V | 5, MSVA_ACC_READ, 0, MSVA_DB_F_LAST, 0x800 },
		{ V | 5, MSVA_ACC_READ, 0, MSVA_DB_F_LAST, 1 },
		{ V | 5, MSVA_ACC_READ, 512, MSVA_DB_F_LAST, 0 },
		{ V | 5, MSVA_ACC_READ, ~0U, MSVA_DB_F_LAST, 0 },
		{ V | 5, MSVA_ACC_READ, 0, MSVA_DB_F_LAST | 2, 0 },
		{ V | 5, MSVA_ACC_READ, 0, 0x80000000U, 0 },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct msva_doorbell db = {
			.pasid = bad[i].pasid, .access = bad[i].access,
			.group = bad[i].group, .flags = bad[i].flags,
			.addr = bad[i].addr,
		};

		cr_assert_eq(decode(db, all_on, &req), MSVA_DB_BAD,
			     "case %zu", i);
	}
	cr_assert_eq(req.pasid, 77, "a refused ring wrote the request");
}

Test(mock_sva_db, multi_record_groups_are_unsupported)
{
	struct msva_doorbell db = good();
	struct msva_request req;

	db.flags = 0;
	cr_assert_eq(decode(db, all_on, &req), MSVA_DB_UNSUPP);
}

Test(mock_sva_db, disabled_device_sends_nothing)
{
	struct msva_doorbell db = good();
	struct msva_request req;
	struct msva_enables en;

	en = all_on, en.ctrl = false;
	cr_assert_eq(decode(db, en, &req), MSVA_DB_DISABLED);
	en = all_on, en.master = false;
	cr_assert_eq(decode(db, en, &req), MSVA_DB_DISABLED);
	en = all_on, en.pri = false;
	cr_assert_eq(decode(db, en, &req), MSVA_DB_DISABLED);
	en = all_on, en.pri_alloc = 0;
	cr_assert_eq(decode(db, en, &req), MSVA_DB_DISABLED);
	en = all_on, en.pri_failed = true;
	cr_assert_eq(decode(db, en, &req), MSVA_DB_DISABLED);
	/* Disabled wins over a malformed ring: the device sends nothing. */
	db.addr |= 1;
	en = all_on, en.ctrl = false;
	cr_assert_eq(decode(db, en, &req), MSVA_DB_DISABLED);
}

Test(mock_sva_db, pasid_controls)
{
	struct msva_doorbell db = good();
	struct msva_request req;
	struct msva_enables en;

	en = all_on, en.pasid = false;
	cr_assert_eq(decode(db, en, &req), MSVA_DB_DISABLED);
	db.access = MSVA_ACC_READ | MSVA_ACC_EXEC;
	en = all_on, en.pasid_exec = false;
	cr_assert_eq(decode(db, en, &req), MSVA_DB_DISABLED);
	en = all_on, en.pasid_priv = false;
	cr_assert_eq(decode(db, en, &req), MSVA_DB_OK);
	db.access = MSVA_ACC_WRITE | MSVA_ACC_PRIV;
	cr_assert_eq(decode(db, en, &req), MSVA_DB_DISABLED);
	en = all_on, en.pasid_exec = false;
	cr_assert_eq(decode(db, en, &req), MSVA_DB_OK);
}

Test(mock_sva_db, largest_pasid_and_address)
{
	struct msva_doorbell db = good();
	struct msva_request req;

	db.pasid = V | MSVA_DB_PASID_MASK;
	db.addr = ~0xfffULL;
	cr_assert_eq(decode(db, all_on, &req), MSVA_DB_OK);
	cr_assert_eq(req.pasid, (1U << 20) - 1);
	cr_assert_eq(req.addr, ~0xfffULL);
}

/* --- the command line --- */

static int parse(struct vm_config *cfg, int argc, const char **argv)
{
	return run__parse(argc, (char **)argv, cfg);
}

Test(run_backend, default_is_auto, .init = cr_redirect_stderr)
{
	struct vm_config cfg;
	const char *a[] = { "run", "-f", "x", "--viommu", "on",
			    "--mock-sva-dev" };

	cr_assert_eq(parse(&cfg, 6, a), 0);
	cr_assert(cfg.mock_sva_dev);
	cr_assert_eq(cfg.iommu_backend, VM_IOMMU_AUTO);
	cr_assert_eq(parse(&cfg, 5, a), 0);
	cr_assert_eq(cfg.iommu_backend, VM_IOMMU_AUTO);
	cr_assert_not(cfg.mock_sva_dev);
}

Test(run_backend, explicit_choices, .init = cr_redirect_stderr)
{
	struct vm_config cfg;
	const char *e[] = { "run", "-f", "x", "--viommu", "on",
			    "--iommu-backend", "emul" };
	const char *i[] = { "run", "-f", "x", "--viommu", "on",
			    "--iommu-backend", "iommufd", "--mock-sva-dev" };
	const char *bad[] = { "run", "-f", "x", "--viommu", "on",
			      "--iommu-backend", "vfio" };

	cr_assert_eq(parse(&cfg, 7, e), 0);
	cr_assert_eq(cfg.iommu_backend, VM_IOMMU_EMUL);
	cr_assert_eq(parse(&cfg, 8, i), 0);
	cr_assert_eq(cfg.iommu_backend, VM_IOMMU_IOMMUFD);
	cr_assert_eq(parse(&cfg, 7, bad), 2);
}

Test(run_backend, refused_combinations, .init = cr_redirect_stderr)
{
	struct vm_config cfg;
	const char *no_viommu[] = { "run", "-f", "x", "--mock-sva-dev" };
	const char *be_alone[] = { "run", "-f", "x", "--iommu-backend",
				   "iommufd" };
	const char *emul_mock[] = { "run", "-f", "x", "--viommu", "on",
				    "--iommu-backend", "emul",
				    "--mock-sva-dev" };
	const char *sva_fd[] = { "run", "-f", "x", "--viommu", "on",
				 "--iommu-backend", "iommufd", "--sva-dev" };
	const char *sva_mock[] = { "run", "-f", "x", "--viommu", "on",
				   "--sva-dev", "--mock-sva-dev" };

	cr_assert_eq(parse(&cfg, 4, no_viommu), 2);
	cr_assert_eq(parse(&cfg, 5, be_alone), 2);
	cr_assert_eq(parse(&cfg, 8, emul_mock), 2);
	cr_assert_eq(parse(&cfg, 8, sva_fd), 2);
	cr_assert_eq(parse(&cfg, 7, sva_mock), 2);
}
