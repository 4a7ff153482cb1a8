#!/bin/sh
# vsva boots the lab kernel as an L2 Linux guest with 2 vCPUs, 256 MiB and
# virtio-rng; the L2 /init (tests/lab/init/l2-init.c) checks what it sees,
# prints L2-INIT-OK and powers off.  Reports vsva start -> marker time.
# lab-config: mock
# lab-timeout: 180
# lab-needs: vsva l2
exec lab-expect -r -t vsva-start-to-l2-init -f L2-INIT-FAIL L2-INIT-OK \
	./vsva run -k bzImage -i l2-initramfs.cpio.gz \
	-p 'console=ttyS0 panic=-1 l2_cpus=2 l2_mem=256' \
	-m 256 -c 2 --rng
