#!/bin/sh
# Yardstick: Debian's QEMU with -accel kvm inside L1 boots the same L2
# kernel and initramfs as linux-l2 (2 vCPUs, 256 MiB, virtio-rng); same
# marker, same timing, for comparison with vsva.  Its job ends at the
# marker: QEMU is stopped 20 s after it (its guest's power-off is not what
# is measured, and it has hung in the lab under load).
# lab-config: mock
# lab-timeout: 180
# lab-needs: qemu l2
exec lab-expect -k 20 -t qemu-start-to-l2-init -f L2-INIT-FAIL L2-INIT-OK \
	qemu-system-x86_64 -accel kvm -cpu host -m 256M -smp 2 \
	-nographic -no-reboot -nic none -vga none -machine q35 \
	-bios /usr/share/qemu/qboot.rom -device virtio-rng-pci \
	-kernel bzImage -initrd l2-initramfs.cpio.gz \
	-append 'console=ttyS0 panic=-1 l2_cpus=2 l2_mem=256'
