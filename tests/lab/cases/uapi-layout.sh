#!/bin/sh
# vsva's own UAPI definitions (include/vsva/uapi/) match the lab kernel's
# headers (asserted when the program was compiled) and the running kernel
# knows every ioctl number vsva uses.
# lab-config: mock
# lab-timeout: 30
# lab-needs: conformance
exec lab-expect -f 'FAIL ' 'uapi-layout: PASS' uapi-layout
