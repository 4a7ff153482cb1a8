# The lab lane (tests/lab/README.md): vsva inside an L1 Linux under QEMU TCG.
#
#   make check-lab                 all cases (LAB_CASES="a b" for some)
#   make lab-kernel                build the lab kernel with our own script
#   make lab-clean                 remove build/lab (not the kernel build)

LAB_CASES ?=

check-lab: vsva firmware
	LAB_CC="$(CC)" tests/lab/run.sh $(LAB_CASES)

lab-kernel:
	tests/lab/build-kernel.sh build/lab-kernel

lab-clean:
	rm -rf build/lab

.PHONY: check-lab lab-kernel lab-clean
