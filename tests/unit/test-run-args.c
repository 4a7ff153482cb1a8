// SPDX-License-Identifier: GPL-2.0
#include <criterion/criterion.h>
#include <criterion/redirect.h>

#include <errno.h>

#include <vsva/run.h>
#include <vsva/virtio-net.h>

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

/* Per-device timeout policies: --sva-dev=prq-timeout=MS,
 * --mock-sva-dev=prq-timeout=MS, --vfio PATH,prq-timeout=MS. */
Test(run_args, per_device_prq_timeout, .init = cr_redirect_stderr)
{
	struct vm_config cfg;
	const char *a[] = { "run", "-f", "x", "--viommu", "on",
			    "--prq-timeout", "500",
			    "--vfio", "/dev/vfio/devices/vfio0,prq-timeout=20",
			    "--vfio", "00:03.0",
			    "--mock-sva-dev=prq-timeout=7" };
	const char *b[] = { "run", "-f", "x", "--viommu", "on",
			    "--sva-dev=prq-timeout=30" };
	const char *plain[] = { "run", "-f", "x", "--viommu", "on",
				"--sva-dev" };
	const char *bad_key[] = { "run", "-f", "x", "--viommu", "on",
				  "--sva-dev=timeout=30" };
	const char *bad_vfio[] = { "run", "-f", "x", "--vfio",
				   "00:03.0,prq-timout=5" };
	const char *no_path[] = { "run", "-f", "x", "--vfio",
				  ",prq-timeout=5" };

	cr_assert_eq(parse(&cfg, 12, a), 0);
	cr_assert_eq(cfg.prq_timeout_ms, 500);
	cr_assert_eq(cfg.nr_vfio, 2);
	cr_assert_str_eq(cfg.vfio[0], "/dev/vfio/devices/vfio0");
	cr_assert_eq(cfg.vfio_prq_timeout_ms[0], 20);
	cr_assert_str_eq(cfg.vfio[1], "00:03.0");
	cr_assert_eq(cfg.vfio_prq_timeout_ms[1], 0, "the VM's default");
	cr_assert(cfg.mock_sva_dev);
	cr_assert_eq(cfg.mock_sva_dev_prq_timeout_ms, 7);
	cr_assert_eq(parse(&cfg, 6, b), 0);
	cr_assert(cfg.sva_dev);
	cr_assert_eq(cfg.sva_dev_prq_timeout_ms, 30);
	cr_assert_eq(parse(&cfg, 6, plain), 0);
	cr_assert(cfg.sva_dev);
	cr_assert_eq(cfg.sva_dev_prq_timeout_ms, 0);
	cr_assert_eq(parse(&cfg, 6, bad_key), 2);
	cr_assert_eq(parse(&cfg, 5, bad_vfio), 2);
	cr_assert_eq(parse(&cfg, 5, no_path), 2);
}

/* Per-device opt-out of the vIOMMU: --disk ...,iommu=off and
 * --network ...,iommu=off (virtio-rng and virtio-console stay behind it). */
Test(run_args, iommu_opt_out, .init = cr_redirect_stderr)
{
	struct vm_config cfg;
	struct net_config net;
	char err[160];
	const char *a[] = { "run", "-k", "bz", "--viommu", "on",
			    "--disk", "a.img,iommu=off",
			    "--disk", "b.img,ro,iommu=off",
			    "--disk", "c,d.img,iommu=on,rw",
			    "--disk", "e.img",
			    "--network", "user,iommu=off" };
	const char *twice[] = { "run", "-f", "x", "--disk",
				"a.img,iommu=off,iommu=on" };
	const char *ro_rw[] = { "run", "-f", "x", "--disk", "a.img,ro,rw" };
	const char *bad[] = { "run", "-f", "x", "--disk", "a.img,iommu=of" };
	const char *only[] = { "run", "-f", "x", "--disk", "iommu=off" };
	const char *empty[] = { "run", "-f", "x", "--disk", ",iommu=off" };

	cr_assert_eq(parse(&cfg, 15, a), 0);
	cr_assert_eq(cfg.nr_disks, 4);
	cr_assert_eq(cfg.disks[0].path_len, 5);
	cr_assert(cfg.disks[0].no_iommu);
	cr_assert_not(cfg.disks[0].ro);
	cr_assert_eq(cfg.disks[1].path_len, 5);
	cr_assert(cfg.disks[1].no_iommu);
	cr_assert(cfg.disks[1].ro);
	cr_assert_eq(cfg.disks[2].path_len, 7, "c,d.img");
	cr_assert_not(cfg.disks[2].no_iommu);
	cr_assert_not(cfg.disks[2].ro);
	cr_assert_eq(cfg.disks[3].path_len, 5);
	cr_assert_not(cfg.disks[3].no_iommu, "behind the vIOMMU by default");
	cr_assert_str_eq(cfg.network, "user,iommu=off");

	cr_assert_eq(parse(&cfg, 5, twice), 2);
	cr_assert_eq(parse(&cfg, 5, ro_rw), 2);
	cr_assert_eq(parse(&cfg, 5, bad), 2);
	cr_assert_eq(parse(&cfg, 5, only), 0, "a file named iommu=off");
	cr_assert_eq(cfg.disks[0].path_len, 9);
	cr_assert_not(cfg.disks[0].no_iommu);
	cr_assert_eq(parse(&cfg, 5, empty), 2);

	cr_assert_eq(net_config__parse(&net, "user,iommu=off", err,
				       sizeof(err)), 0);
	cr_assert(net.no_iommu);
	cr_assert_eq(net_config__parse(&net, "user,hostfwd=tcp::80-:80,iommu=on",
				       err, sizeof(err)), 0);
	cr_assert_not(net.no_iommu);
	cr_assert_eq(net_config__parse(&net, "user", err, sizeof(err)), 0);
	cr_assert_not(net.no_iommu);
	cr_assert_eq(net_config__parse(&net, "user,iommu=no", err,
				       sizeof(err)), -EINVAL);
}
