# The host lane: firmware guests under this machine's KVM.
check-host: vsva firmware
	tests/host/run.sh ./vsva

.PHONY: check-host
