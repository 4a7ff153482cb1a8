#!/bin/sh
# make bench (tests/bench/blk.sh): 4 KiB O_DIRECT reads, one at a time, on
# two virtio-blk disks of the L2 guest, sequential and random, 4 s each per
# disk in half-second turns: as blk-pair, with iommu.strict=1 (every unmap is synchronous).
# lab-config: mock
# lab-timeout: 180
# lab-needs: vsva l2
. /lab/lib/l2-io.sh
L2IO_DISK_MIB=64
# one vCPU: both disks interrupt the CPU that waits for them
L2IO_CPUS=1
l2io__start
truncate -s 64M "$l2io_dir/disk2.img" || l2io__fail "no second image"
l2io__vsva vsva-blk-pair-strict \
	'console=ttyS0 l2_viommu=1 l2_noiommu=03.0 iommu.strict=1 l2_bench=4' \
	--disk "$l2io_dir/disk2.img,iommu=off" --viommu on
l2io__stop
