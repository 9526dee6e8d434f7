#!/bin/sh
# An operator's own health check for a DNS instance, as a lab names it:
#   health: {command: "sh dns-answers.sh", files: [health/dns-answers.sh]}
# anylab copies it into the instance's directory and runs it there, with the
# instance's facts in the environment: ANYLAB_NODE, ANYLAB_SERVICE,
# ANYLAB_ADDRESS, ANYLAB_PORT (and anylab's helpers on PATH). Exit 0 is
# healthy; anything else, or taking longer than the timeout, is not.
#
# Healthy: the instance answers a DNS query on the service address within
# half a second. A real check would also ask for a record it serves, or
# look at the daemon's own state; the shape is the same.
exec anylab-probe dns "$ANYLAB_ADDRESS" "$ANYLAB_PORT" --timeout 500ms
