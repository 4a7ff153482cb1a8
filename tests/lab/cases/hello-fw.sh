#!/bin/sh
# vsva runs the `hello` firmware payload under L1's KVM: exit 0 and
# "hello: ok" on its console.
# lab-config: mock
# lab-timeout: 60
# lab-needs: vsva firmware
exec lab-expect -r -t run-to-marker 'hello: ok' ./vsva run -f hello
