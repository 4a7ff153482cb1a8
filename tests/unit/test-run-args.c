// SPDX-License-Identifier: GPL-2.0
#include <criterion/criterion.h>
#include <criterion/redirect.h>

#include <vsva/run.h>

static int parse(struct vm_config *cfg, int argc, const char **argv)
{
	return run__parse(argc, (char **)argv, cfg);
}

Test(run_args, firmware_and_kernel, .init = cr_redirect_stderr)
{
	struct vm_config cfg;
	const char *a1[] = { "run", "-f", "hello", "-c", "2", "-m", "64", "--rng" };
	const char *a2[] = { "run", "-k", "bz", "-i", "rd", "-p", "quiet" };

	cr_assert_eq(parse(&cfg, 8, a1), 0);
	cr_assert_str_eq(cfg.firmware, "hello");
	cr_assert_eq(cfg.nr_cpus, 2);
	cr_assert_eq(cfg.ram_mib, 64);
	cr_assert(cfg.rng);
	cr_assert_eq(parse(&cfg, 7, a2), 0);
	cr_assert_str_eq(cfg.kernel, "bz");
	cr_assert_str_eq(cfg.cmdline, "quiet");
}

Test(run_args, refuses_nonsense, .init = cr_redirect_stderr)
{
	struct vm_config cfg;
	const char *none[] = { "run" };
	const char *both[] = { "run", "-f", "x", "-k", "y" };
	const char *fwrd[] = { "run", "-f", "x", "-i", "y" };
	const char *extra[] = { "run", "-f", "x", "junk" };

	cr_assert_eq(parse(&cfg, 1, none), 2);
	cr_assert_eq(parse(&cfg, 5, both), 2);
	cr_assert_eq(parse(&cfg, 5, fwrd), 2);
	cr_assert_eq(parse(&cfg, 4, extra), 2);
}

Test(run_args, viommu_on_off, .init = cr_redirect_stderr)
{
	struct vm_config cfg;
	const char *on[] = { "run", "-f", "x", "--viommu", "on" };
	const char *off[] = { "run", "-f", "x", "--viommu", "off" };
	const char *bad[] = { "run", "-f", "x", "--viommu", "maybe" };

	cr_assert_eq(parse(&cfg, 5, on), 0);
	cr_assert(cfg.viommu);
	cr_assert_eq(parse(&cfg, 5, off), 0);
	cr_assert_not(cfg.viommu);
	cr_assert_eq(parse(&cfg, 5, bad), 2);
}

Test(run_args, bad_numbers_exit_2, .exit_code = 2,
     .init = cr_redirect_stderr)
{
	struct vm_config cfg;
	const char *a[] = { "run", "-f", "x", "-c", "99" };

	parse(&cfg, 5, a);
}
