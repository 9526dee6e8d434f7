#!/usr/bin/python3
"""Lab dual-stack-dns as a Mininet 2.3 script, written by anylab 0.1.0 (anylab export --mininet).

  sudo /usr/bin/python3 dual-stack-dns.mininet.py           build the lab, open Mininet's CLI; leaving it removes the lab
  sudo /usr/bin/python3 dual-stack-dns.mininet.py --check   build it, wait until every client is answered as the lab's
                                                   first scenario expects (at most 90 s, or --timeout S), print
                                                   who answers each, remove it; exit 0 only when all were

Each node is a Mininet host (no switch, no controller), each link the lab's veth
pair under the lab's interface names; in each host, in the order `anylab deploy`
uses, the lab's addresses, routes, sysctls, files, FRR, ExaBGP and the responder.
The programs are this machine's: Debian's mininet, frr and exabgp, and anylab's
helpers at the paths below. Needs root; the lab must not be deployed by anylab
meanwhile (the same files)."""
import base64
import os
import pwd
import signal
import socket
import sys
import time

from mininet.cli import CLI
from mininet.log import setLogLevel
from mininet.net import Mininet

LAB = "dual-stack-dns"
RUNTIME_DIR = "/run/anylab/dual-stack-dns"
PROBE = "/usr/libexec/anylab/anylab-probe"
# The plan: [what, ...its arguments, why].
ACTIONS = [
    ["host","transit-eu","router, AS 65001"],
    ["host","transit-us","router, AS 65002"],
    ["host","edge-fra","router, AS 65101"],
    ["host","edge-iad","router, AS 65102"],
    ["host","ns-fra","instance of dns, AS 64500"],
    ["host","ns-iad","instance of dns, AS 64500"],
    ["host","client-eu","client: probes the services from here"],
    ["host","client-us","client: probes the services from here"],
    ["sh","transit-eu","echo 0 > /proc/sys/net/ipv6/conf/all/disable_ipv6","IPv6 on, addresses usable at once (no DAD) and kept while a link is down"],
    ["sh","transit-eu","echo 0 > /proc/sys/net/ipv6/conf/default/disable_ipv6","IPv6 on, addresses usable at once (no DAD) and kept while a link is down"],
    ["sh","transit-eu","echo 0 > /proc/sys/net/ipv6/conf/default/accept_dad","IPv6 on, addresses usable at once (no DAD) and kept while a link is down"],
    ["sh","transit-eu","echo 1 > /proc/sys/net/ipv6/conf/default/keep_addr_on_down","IPv6 on, addresses usable at once (no DAD) and kept while a link is down"],
    ["sh","transit-us","echo 0 > /proc/sys/net/ipv6/conf/all/disable_ipv6","IPv6 on, addresses usable at once (no DAD) and kept while a link is down"],
    ["sh","transit-us","echo 0 > /proc/sys/net/ipv6/conf/default/disable_ipv6","IPv6 on, addresses usable at once (no DAD) and kept while a link is down"],
    ["sh","transit-us","echo 0 > /proc/sys/net/ipv6/conf/default/accept_dad","IPv6 on, addresses usable at once (no DAD) and kept while a link is down"],
    ["sh","transit-us","echo 1 > /proc/sys/net/ipv6/conf/default/keep_addr_on_down","IPv6 on, addresses usable at once (no DAD) and kept while a link is down"],
    ["sh","edge-fra","echo 0 > /proc/sys/net/ipv6/conf/all/disable_ipv6","IPv6 on, addresses usable at once (no DAD) and kept while a link is down"],
    ["sh","edge-fra","echo 0 > /proc/sys/net/ipv6/conf/default/disable_ipv6","IPv6 on, addresses usable at once (no DAD) and kept while a link is down"],
    ["sh","edge-fra","echo 0 > /proc/sys/net/ipv6/conf/default/accept_dad","IPv6 on, addresses usable at once (no DAD) and kept while a link is down"],
    ["sh","edge-fra","echo 1 > /proc/sys/net/ipv6/conf/default/keep_addr_on_down","IPv6 on, addresses usable at once (no DAD) and kept while a link is down"],
    ["sh","edge-iad","echo 0 > /proc/sys/net/ipv6/conf/all/disable_ipv6","IPv6 on, addresses usable at once (no DAD) and kept while a link is down"],
    ["sh","edge-iad","echo 0 > /proc/sys/net/ipv6/conf/default/disable_ipv6","IPv6 on, addresses usable at once (no DAD) and kept while a link is down"],
    ["sh","edge-iad","echo 0 > /proc/sys/net/ipv6/conf/default/accept_dad","IPv6 on, addresses usable at once (no DAD) and kept while a link is down"],
    ["sh","edge-iad","echo 1 > /proc/sys/net/ipv6/conf/default/keep_addr_on_down","IPv6 on, addresses usable at once (no DAD) and kept while a link is down"],
    ["sh","ns-fra","echo 0 > /proc/sys/net/ipv6/conf/all/disable_ipv6","IPv6 on, addresses usable at once (no DAD) and kept while a link is down"],
    ["sh","ns-fra","echo 0 > /proc/sys/net/ipv6/conf/default/disable_ipv6","IPv6 on, addresses usable at once (no DAD) and kept while a link is down"],
    ["sh","ns-fra","echo 0 > /proc/sys/net/ipv6/conf/default/accept_dad","IPv6 on, addresses usable at once (no DAD) and kept while a link is down"],
    ["sh","ns-fra","echo 1 > /proc/sys/net/ipv6/conf/default/keep_addr_on_down","IPv6 on, addresses usable at once (no DAD) and kept while a link is down"],
    ["sh","ns-iad","echo 0 > /proc/sys/net/ipv6/conf/all/disable_ipv6","IPv6 on, addresses usable at once (no DAD) and kept while a link is down"],
    ["sh","ns-iad","echo 0 > /proc/sys/net/ipv6/conf/default/disable_ipv6","IPv6 on, addresses usable at once (no DAD) and kept while a link is down"],
    ["sh","ns-iad","echo 0 > /proc/sys/net/ipv6/conf/default/accept_dad","IPv6 on, addresses usable at once (no DAD) and kept while a link is down"],
    ["sh","ns-iad","echo 1 > /proc/sys/net/ipv6/conf/default/keep_addr_on_down","IPv6 on, addresses usable at once (no DAD) and kept while a link is down"],
    ["sh","client-eu","echo 0 > /proc/sys/net/ipv6/conf/all/disable_ipv6","IPv6 on, addresses usable at once (no DAD) and kept while a link is down"],
    ["sh","client-eu","echo 0 > /proc/sys/net/ipv6/conf/default/disable_ipv6","IPv6 on, addresses usable at once (no DAD) and kept while a link is down"],
    ["sh","client-eu","echo 0 > /proc/sys/net/ipv6/conf/default/accept_dad","IPv6 on, addresses usable at once (no DAD) and kept while a link is down"],
    ["sh","client-eu","echo 1 > /proc/sys/net/ipv6/conf/default/keep_addr_on_down","IPv6 on, addresses usable at once (no DAD) and kept while a link is down"],
    ["sh","client-us","echo 0 > /proc/sys/net/ipv6/conf/all/disable_ipv6","IPv6 on, addresses usable at once (no DAD) and kept while a link is down"],
    ["sh","client-us","echo 0 > /proc/sys/net/ipv6/conf/default/disable_ipv6","IPv6 on, addresses usable at once (no DAD) and kept while a link is down"],
    ["sh","client-us","echo 0 > /proc/sys/net/ipv6/conf/default/accept_dad","IPv6 on, addresses usable at once (no DAD) and kept while a link is down"],
    ["sh","client-us","echo 1 > /proc/sys/net/ipv6/conf/default/keep_addr_on_down","IPv6 on, addresses usable at once (no DAD) and kept while a link is down"],
    ["link","transit-eu","eth1","edge-fra","eth1","link transit-eu:eth1 -- edge-fra:eth1"],
    ["link","transit-eu","eth2","transit-us","eth1","link transit-eu:eth2 -- transit-us:eth1"],
    ["link","transit-us","eth2","edge-iad","eth1","link transit-us:eth2 -- edge-iad:eth1"],
    ["link","edge-fra","eth2","ns-fra","eth1","link edge-fra:eth2 -- ns-fra:eth1"],
    ["link","edge-iad","eth2","ns-iad","eth1","link edge-iad:eth2 -- ns-iad:eth1"],
    ["link","client-eu","eth1","transit-eu","eth3","link client-eu:eth1 -- transit-eu:eth3"],
    ["link","client-us","eth1","transit-us","eth3","link client-us:eth1 -- transit-us:eth3"],
    ["sh","transit-eu","echo 1 > /proc/sys/net/ipv4/ip_forward","routers forward"],
    ["sh","transit-us","echo 1 > /proc/sys/net/ipv4/ip_forward","routers forward"],
    ["sh","edge-fra","echo 1 > /proc/sys/net/ipv4/ip_forward","routers forward"],
    ["sh","edge-iad","echo 1 > /proc/sys/net/ipv4/ip_forward","routers forward"],
    ["sh","transit-eu","echo 1 > /proc/sys/net/ipv6/conf/all/forwarding","routers forward IPv6"],
    ["sh","transit-us","echo 1 > /proc/sys/net/ipv6/conf/all/forwarding","routers forward IPv6"],
    ["sh","edge-fra","echo 1 > /proc/sys/net/ipv6/conf/all/forwarding","routers forward IPv6"],
    ["sh","edge-iad","echo 1 > /proc/sys/net/ipv6/conf/all/forwarding","routers forward IPv6"],
    ["dir","/run/anylab/dual-stack-dns",0,"the lab's configs, logs and journal"],
    ["dir","/run/anylab/dual-stack-dns/transit-eu",1,"configs, logs and pid files"],
    ["file","/run/anylab/dual-stack-dns/transit-eu/frr.conf","! transit-eu in lab dual-stack-dns; generated by anylab\nfrr version 8.4\nfrr defaults datacenter\nhostname transit-eu\nipv6 forwarding\nbgp route-map delay-timer 0\n!\nrouter bgp 65001\n bgp router-id 198.19.0.1\n no bgp ebgp-requires-policy\n no bgp network import-check\n timers bgp 1 3\n coalesce-time 50\n neighbor 198.18.1.1 remote-as 65101\n neighbor 198.18.1.1 description edge-fra via eth1\n neighbor 198.18.1.1 timers connect 1\n neighbor 198.18.1.1 advertisement-interval 0\n neighbor 2001:db8:ffff:1::1 remote-as 65101\n neighbor 2001:db8:ffff:1::1 description edge-fra via eth1\n neighbor 2001:db8:ffff:1::1 timers connect 1\n neighbor 2001:db8:ffff:1::1 advertisement-interval 0\n neighbor 198.18.0.1 remote-as 65002\n neighbor 198.18.0.1 description transit-us via eth2\n neighbor 198.18.0.1 timers connect 1\n neighbor 198.18.0.1 advertisement-interval 0\n neighbor 2001:2::1 remote-as 65002\n neighbor 2001:2::1 description transit-us via eth2\n neighbor 2001:2::1 timers connect 1\n neighbor 2001:2::1 advertisement-interval 0\n !\n address-family ipv4 unicast\n  redistribute connected\n  neighbor 198.18.1.1 activate\n  neighbor 198.18.1.1 soft-reconfiguration inbound\n  no neighbor 2001:db8:ffff:1::1 activate\n  neighbor 198.18.0.1 activate\n  neighbor 198.18.0.1 soft-reconfiguration inbound\n  no neighbor 2001:2::1 activate\n exit-address-family\n !\n address-family ipv6 unicast\n  redistribute connected\n  neighbor 2001:db8:ffff:1::1 activate\n  neighbor 2001:db8:ffff:1::1 soft-reconfiguration inbound\n  neighbor 2001:2::1 activate\n  neighbor 2001:2::1 soft-reconfiguration inbound\n exit-address-family\nexit\n!\n! from the lab file, transit-eu's `frr:`\nroute-map V6-FROM-FRA permit 10\n set as-path prepend 65101 65101 65101\nexit\nrouter bgp 65001\n address-family ipv6 unicast\n  neighbor 2001:db8:ffff:1::1 route-map V6-FROM-FRA in\n exit-address-family\nexit\n!\n","rendered frr.conf"],
    ["dir","/run/anylab/dual-stack-dns/transit-us",1,"configs, logs and pid files"],
    ["file","/run/anylab/dual-stack-dns/transit-us/frr.conf","! transit-us in lab dual-stack-dns; generated by anylab\nfrr version 8.4\nfrr defaults datacenter\nhostname transit-us\nipv6 forwarding\nbgp route-map delay-timer 0\n!\nrouter bgp 65002\n bgp router-id 198.19.0.2\n no bgp ebgp-requires-policy\n no bgp network import-check\n timers bgp 1 3\n coalesce-time 50\n neighbor 198.18.0.0 remote-as 65001\n neighbor 198.18.0.0 description transit-eu via eth1\n neighbor 198.18.0.0 timers connect 1\n neighbor 198.18.0.0 advertisement-interval 0\n neighbor 2001:2:: remote-as 65001\n neighbor 2001:2:: description transit-eu via eth1\n neighbor 2001:2:: timers connect 1\n neighbor 2001:2:: advertisement-interval 0\n neighbor 198.18.0.3 remote-as 65102\n neighbor 198.18.0.3 description edge-iad via eth2\n neighbor 198.18.0.3 timers connect 1\n neighbor 198.18.0.3 advertisement-interval 0\n neighbor 2001:2::3 remote-as 65102\n neighbor 2001:2::3 description edge-iad via eth2\n neighbor 2001:2::3 timers connect 1\n neighbor 2001:2::3 advertisement-interval 0\n !\n address-family ipv4 unicast\n  redistribute connected\n  neighbor 198.18.0.0 activate\n  neighbor 198.18.0.0 soft-reconfiguration inbound\n  no neighbor 2001:2:: activate\n  neighbor 198.18.0.3 activate\n  neighbor 198.18.0.3 soft-reconfiguration inbound\n  no neighbor 2001:2::3 activate\n exit-address-family\n !\n address-family ipv6 unicast\n  redistribute connected\n  neighbor 2001:2:: activate\n  neighbor 2001:2:: soft-reconfiguration inbound\n  neighbor 2001:2::3 activate\n  neighbor 2001:2::3 soft-reconfiguration inbound\n exit-address-family\nexit\n!\n","rendered frr.conf"],
    ["dir","/run/anylab/dual-stack-dns/edge-fra",1,"configs, logs and pid files"],
    ["file","/run/anylab/dual-stack-dns/edge-fra/frr.conf","! edge-fra in lab dual-stack-dns; generated by anylab\nfrr version 8.4\nfrr defaults datacenter\nhostname edge-fra\nipv6 forwarding\nbgp route-map delay-timer 0\n!\nrouter bgp 65101\n bgp router-id 198.19.0.3\n no bgp ebgp-requires-policy\n no bgp network import-check\n timers bgp 1 3\n coalesce-time 50\n neighbor 198.18.1.0 remote-as 65001\n neighbor 198.18.1.0 description transit-eu via eth1\n neighbor 198.18.1.0 timers connect 1\n neighbor 198.18.1.0 advertisement-interval 0\n neighbor 2001:db8:ffff:1:: remote-as 65001\n neighbor 2001:db8:ffff:1:: description transit-eu via eth1\n neighbor 2001:db8:ffff:1:: timers connect 1\n neighbor 2001:db8:ffff:1:: advertisement-interval 0\n neighbor 198.18.0.5 remote-as 64500\n neighbor 198.18.0.5 description ns-fra via eth2\n neighbor 198.18.0.5 timers connect 1\n neighbor 198.18.0.5 advertisement-interval 0\n neighbor 2001:2::5 remote-as 64500\n neighbor 2001:2::5 description ns-fra via eth2\n neighbor 2001:2::5 timers connect 1\n neighbor 2001:2::5 advertisement-interval 0\n !\n address-family ipv4 unicast\n  redistribute connected\n  neighbor 198.18.1.0 activate\n  neighbor 198.18.1.0 soft-reconfiguration inbound\n  no neighbor 2001:db8:ffff:1:: activate\n  neighbor 198.18.0.5 activate\n  neighbor 198.18.0.5 soft-reconfiguration inbound\n  no neighbor 2001:2::5 activate\n exit-address-family\n !\n address-family ipv6 unicast\n  redistribute connected\n  neighbor 2001:db8:ffff:1:: activate\n  neighbor 2001:db8:ffff:1:: soft-reconfiguration inbound\n  neighbor 2001:2::5 activate\n  neighbor 2001:2::5 soft-reconfiguration inbound\n exit-address-family\nexit\n!\n","rendered frr.conf"],
    ["dir","/run/anylab/dual-stack-dns/edge-iad",1,"configs, logs and pid files"],
    ["file","/run/anylab/dual-stack-dns/edge-iad/frr.conf","! edge-iad in lab dual-stack-dns; generated by anylab\nfrr version 8.4\nfrr defaults datacenter\nhostname edge-iad\nipv6 forwarding\nbgp route-map delay-timer 0\n!\nrouter bgp 65102\n bgp router-id 198.19.0.4\n no bgp ebgp-requires-policy\n no bgp network import-check\n timers bgp 1 3\n coalesce-time 50\n neighbor 198.18.0.2 remote-as 65002\n neighbor 198.18.0.2 description transit-us via eth1\n neighbor 198.18.0.2 timers connect 1\n neighbor 198.18.0.2 advertisement-interval 0\n neighbor 2001:2::2 remote-as 65002\n neighbor 2001:2::2 description transit-us via eth1\n neighbor 2001:2::2 timers connect 1\n neighbor 2001:2::2 advertisement-interval 0\n neighbor 198.18.0.7 remote-as 64500\n neighbor 198.18.0.7 description ns-iad via eth2\n neighbor 198.18.0.7 timers connect 1\n neighbor 198.18.0.7 advertisement-interval 0\n neighbor 2001:2::7 remote-as 64500\n neighbor 2001:2::7 description ns-iad via eth2\n neighbor 2001:2::7 timers connect 1\n neighbor 2001:2::7 advertisement-interval 0\n !\n address-family ipv4 unicast\n  redistribute connected\n  neighbor 198.18.0.2 activate\n  neighbor 198.18.0.2 soft-reconfiguration inbound\n  no neighbor 2001:2::2 activate\n  neighbor 198.18.0.7 activate\n  neighbor 198.18.0.7 soft-reconfiguration inbound\n  no neighbor 2001:2::7 activate\n exit-address-family\n !\n address-family ipv6 unicast\n  redistribute connected\n  neighbor 2001:2::2 activate\n  neighbor 2001:2::2 soft-reconfiguration inbound\n  neighbor 2001:2::7 activate\n  neighbor 2001:2::7 soft-reconfiguration inbound\n exit-address-family\nexit\n!\n","rendered frr.conf"],
    ["dir","/run/anylab/dual-stack-dns/ns-fra",0,"configs, logs and pid files"],
    ["file","/run/anylab/dual-stack-dns/ns-fra/exabgp.conf","# ns-fra in lab dual-stack-dns: instance of service dns; generated by anylab\nprocess healthcheck {\n  run /usr/bin/python3 -m exabgp healthcheck --config /run/anylab/dual-stack-dns/ns-fra/healthcheck.conf;\n  encoder text;\n}\n\nprocess control {\n  run /usr/libexec/anylab/anylab-exabgp-relay /run/anylab/dual-stack-dns/ns-fra/control.fifo;\n  encoder text;\n}\n\nneighbor 198.18.0.4 {\n  description \"edge-fra via eth1\";\n  router-id 198.19.0.5;\n  local-address 198.18.0.5;\n  local-as 64500;\n  peer-as 65101;\n  hold-time 3;\n  passive true;\n  family {\n    ipv4 unicast;\n  }\n  api {\n    processes [ healthcheck control ];\n  }\n}\nneighbor 2001:2::4 {\n  description \"edge-fra via eth1\";\n  router-id 198.19.0.5;\n  local-address 2001:2::5;\n  local-as 64500;\n  peer-as 65101;\n  hold-time 3;\n  passive true;\n  family {\n    ipv6 unicast;\n  }\n  api {\n    processes [ healthcheck control ];\n  }\n}\n","rendered exabgp.conf"],
    ["file","/run/anylab/dual-stack-dns/ns-fra/healthcheck.conf","# ns-fra: ExaBGP healthcheck options, one per line; generated by anylab\ncmd=/usr/libexec/anylab/anylab-probe dns 192.0.2.53 53 --timeout 500ms\nno-syslog\nno-ip-setup\nwithdraw-on-down\ninterval=1\nfast-interval=1\nrise=1\nfall=1\nup-metric=0\nip=192.0.2.0/24\nip=2001:db8:53::/48\n","rendered healthcheck.conf"],
    ["dir","/run/anylab/dual-stack-dns/ns-iad",0,"configs, logs and pid files"],
    ["file","/run/anylab/dual-stack-dns/ns-iad/exabgp.conf","# ns-iad in lab dual-stack-dns: instance of service dns; generated by anylab\nprocess control {\n  run /usr/libexec/anylab/anylab-exabgp-relay /run/anylab/dual-stack-dns/ns-iad/control.fifo;\n  encoder text;\n}\n\nneighbor 198.18.0.6 {\n  description \"edge-iad via eth1\";\n  router-id 198.19.0.6;\n  local-address 198.18.0.7;\n  local-as 64500;\n  peer-as 65102;\n  hold-time 3;\n  passive true;\n  family {\n    ipv4 unicast;\n  }\n  api {\n    processes [ control ];\n  }\n  static {\n    route 192.0.2.0/24 next-hop self;\n  }\n}\nneighbor 2001:2::6 {\n  description \"edge-iad via eth1\";\n  router-id 198.19.0.6;\n  local-address 2001:2::7;\n  local-as 64500;\n  peer-as 65102;\n  hold-time 3;\n  passive true;\n  family {\n    ipv6 unicast;\n  }\n  api {\n    processes [ control ];\n  }\n  static {\n    route 2001:db8:53::/48 next-hop self;\n  }\n}\n","rendered exabgp.conf"],
    ["start","transit-eu","zebra","nohup /usr/lib/frr/zebra -N anylab-dual-stack-dns_transit-eu -f /run/anylab/dual-stack-dns/transit-eu/frr.conf -i /run/anylab/dual-stack-dns/transit-eu/zebra.pid --log file:/run/anylab/dual-stack-dns/transit-eu/zebra.log --limit-fds 128 > /run/anylab/dual-stack-dns/transit-eu/zebra.out 2>&1 < /dev/null &","FRR's zebra: routes from bgpd into the kernel"],
    ["start","transit-us","zebra","nohup /usr/lib/frr/zebra -N anylab-dual-stack-dns_transit-us -f /run/anylab/dual-stack-dns/transit-us/frr.conf -i /run/anylab/dual-stack-dns/transit-us/zebra.pid --log file:/run/anylab/dual-stack-dns/transit-us/zebra.log --limit-fds 128 > /run/anylab/dual-stack-dns/transit-us/zebra.out 2>&1 < /dev/null &","FRR's zebra: routes from bgpd into the kernel"],
    ["start","edge-fra","zebra","nohup /usr/lib/frr/zebra -N anylab-dual-stack-dns_edge-fra -f /run/anylab/dual-stack-dns/edge-fra/frr.conf -i /run/anylab/dual-stack-dns/edge-fra/zebra.pid --log file:/run/anylab/dual-stack-dns/edge-fra/zebra.log --limit-fds 128 > /run/anylab/dual-stack-dns/edge-fra/zebra.out 2>&1 < /dev/null &","FRR's zebra: routes from bgpd into the kernel"],
    ["start","edge-iad","zebra","nohup /usr/lib/frr/zebra -N anylab-dual-stack-dns_edge-iad -f /run/anylab/dual-stack-dns/edge-iad/frr.conf -i /run/anylab/dual-stack-dns/edge-iad/zebra.pid --log file:/run/anylab/dual-stack-dns/edge-iad/zebra.log --limit-fds 128 > /run/anylab/dual-stack-dns/edge-iad/zebra.out 2>&1 < /dev/null &","FRR's zebra: routes from bgpd into the kernel"],
    ["socket","transit-eu","/var/run/frr/anylab-dual-stack-dns_transit-eu/zserv.api","zebra ready before bgpd connects to it"],
    ["socket","transit-us","/var/run/frr/anylab-dual-stack-dns_transit-us/zserv.api","zebra ready before bgpd connects to it"],
    ["socket","edge-fra","/var/run/frr/anylab-dual-stack-dns_edge-fra/zserv.api","zebra ready before bgpd connects to it"],
    ["socket","edge-iad","/var/run/frr/anylab-dual-stack-dns_edge-iad/zserv.api","zebra ready before bgpd connects to it"],
    ["up","transit-eu","lo","loopback up"],
    ["sh","transit-eu","ip address add 198.18.1.0/31 dev eth1","link transit-eu:eth1 -- edge-fra:eth1"],
    ["sh","transit-eu","ip address add 2001:db8:ffff:1::/127 dev eth1 nodad","link transit-eu:eth1 -- edge-fra:eth1"],
    ["sh","transit-eu","ip address add 198.18.0.0/31 dev eth2","link transit-eu:eth2 -- transit-us:eth1"],
    ["sh","transit-eu","ip address add 2001:2::/127 dev eth2 nodad","link transit-eu:eth2 -- transit-us:eth1"],
    ["sh","transit-eu","ip address add 198.18.0.9/31 dev eth3","link client-eu:eth1 -- transit-eu:eth3"],
    ["sh","transit-eu","ip address add 2001:2::9/127 dev eth3 nodad","link client-eu:eth1 -- transit-eu:eth3"],
    ["up","transit-eu","eth1","link toward edge-fra"],
    ["up","transit-eu","eth2","link toward transit-us"],
    ["up","transit-eu","eth3","link toward client-eu"],
    ["up","transit-us","lo","loopback up"],
    ["sh","transit-us","ip address add 198.18.0.1/31 dev eth1","link transit-eu:eth2 -- transit-us:eth1"],
    ["sh","transit-us","ip address add 2001:2::1/127 dev eth1 nodad","link transit-eu:eth2 -- transit-us:eth1"],
    ["sh","transit-us","ip address add 198.18.0.2/31 dev eth2","link transit-us:eth2 -- edge-iad:eth1"],
    ["sh","transit-us","ip address add 2001:2::2/127 dev eth2 nodad","link transit-us:eth2 -- edge-iad:eth1"],
    ["sh","transit-us","ip address add 198.18.0.11/31 dev eth3","link client-us:eth1 -- transit-us:eth3"],
    ["sh","transit-us","ip address add 2001:2::b/127 dev eth3 nodad","link client-us:eth1 -- transit-us:eth3"],
    ["up","transit-us","eth1","link toward transit-eu"],
    ["up","transit-us","eth2","link toward edge-iad"],
    ["up","transit-us","eth3","link toward client-us"],
    ["up","edge-fra","lo","loopback up"],
    ["sh","edge-fra","ip address add 198.18.1.1/31 dev eth1","link transit-eu:eth1 -- edge-fra:eth1"],
    ["sh","edge-fra","ip address add 2001:db8:ffff:1::1/127 dev eth1 nodad","link transit-eu:eth1 -- edge-fra:eth1"],
    ["sh","edge-fra","ip address add 198.18.0.4/31 dev eth2","link edge-fra:eth2 -- ns-fra:eth1"],
    ["sh","edge-fra","ip address add 2001:2::4/127 dev eth2 nodad","link edge-fra:eth2 -- ns-fra:eth1"],
    ["up","edge-fra","eth1","link toward transit-eu"],
    ["up","edge-fra","eth2","link toward ns-fra"],
    ["up","edge-iad","lo","loopback up"],
    ["sh","edge-iad","ip address add 198.18.0.3/31 dev eth1","link transit-us:eth2 -- edge-iad:eth1"],
    ["sh","edge-iad","ip address add 2001:2::3/127 dev eth1 nodad","link transit-us:eth2 -- edge-iad:eth1"],
    ["sh","edge-iad","ip address add 198.18.0.6/31 dev eth2","link edge-iad:eth2 -- ns-iad:eth1"],
    ["sh","edge-iad","ip address add 2001:2::6/127 dev eth2 nodad","link edge-iad:eth2 -- ns-iad:eth1"],
    ["up","edge-iad","eth1","link toward transit-us"],
    ["up","edge-iad","eth2","link toward ns-iad"],
    ["up","ns-fra","lo","loopback up"],
    ["sh","ns-fra","ip address add 198.18.0.5/31 dev eth1","link edge-fra:eth2 -- ns-fra:eth1"],
    ["sh","ns-fra","ip address add 2001:2::5/127 dev eth1 nodad","link edge-fra:eth2 -- ns-fra:eth1"],
    ["up","ns-fra","eth1","link toward edge-fra"],
    ["sh","ns-fra","ip address add 192.0.2.53/32 dev lo","service dns address, answered by the responder"],
    ["sh","ns-fra","ip address add 2001:db8:53::53/128 dev lo nodad","service dns address, answered by the responder"],
    ["sh","ns-fra","ip route replace 0.0.0.0/0 via 198.18.0.4","default route toward its router, so that replies reach back"],
    ["sh","ns-fra","ip route replace ::/0 via 2001:2::4","default route toward its router, so that replies reach back"],
    ["up","ns-iad","lo","loopback up"],
    ["sh","ns-iad","ip address add 198.18.0.7/31 dev eth1","link edge-iad:eth2 -- ns-iad:eth1"],
    ["sh","ns-iad","ip address add 2001:2::7/127 dev eth1 nodad","link edge-iad:eth2 -- ns-iad:eth1"],
    ["up","ns-iad","eth1","link toward edge-iad"],
    ["sh","ns-iad","ip address add 192.0.2.53/32 dev lo","service dns address, answered by the responder"],
    ["sh","ns-iad","ip address add 2001:db8:53::53/128 dev lo nodad","service dns address, answered by the responder"],
    ["sh","ns-iad","ip route replace 0.0.0.0/0 via 198.18.0.6","default route toward its router, so that replies reach back"],
    ["sh","ns-iad","ip route replace ::/0 via 2001:2::6","default route toward its router, so that replies reach back"],
    ["up","client-eu","lo","loopback up"],
    ["sh","client-eu","ip address add 198.18.0.8/31 dev eth1","link client-eu:eth1 -- transit-eu:eth3"],
    ["sh","client-eu","ip address add 2001:2::8/127 dev eth1 nodad","link client-eu:eth1 -- transit-eu:eth3"],
    ["up","client-eu","eth1","link toward transit-eu"],
    ["sh","client-eu","ip route replace 0.0.0.0/0 via 198.18.0.9","default route toward its router, so that probes reach back"],
    ["sh","client-eu","ip route replace ::/0 via 2001:2::9","default route toward its router, so that probes reach back"],
    ["up","client-us","lo","loopback up"],
    ["sh","client-us","ip address add 198.18.0.10/31 dev eth1","link client-us:eth1 -- transit-us:eth3"],
    ["sh","client-us","ip address add 2001:2::a/127 dev eth1 nodad","link client-us:eth1 -- transit-us:eth3"],
    ["up","client-us","eth1","link toward transit-us"],
    ["sh","client-us","ip route replace 0.0.0.0/0 via 198.18.0.11","default route toward its router, so that probes reach back"],
    ["sh","client-us","ip route replace ::/0 via 2001:2::b","default route toward its router, so that probes reach back"],
    ["start","transit-eu","bgpd","nohup /usr/lib/frr/bgpd -N anylab-dual-stack-dns_transit-eu -f /run/anylab/dual-stack-dns/transit-eu/frr.conf -i /run/anylab/dual-stack-dns/transit-eu/bgpd.pid --log file:/run/anylab/dual-stack-dns/transit-eu/bgpd.log --limit-fds 128 > /run/anylab/dual-stack-dns/transit-eu/bgpd.out 2>&1 < /dev/null &","4 BGP session(s), AS 65001"],
    ["start","transit-us","bgpd","nohup /usr/lib/frr/bgpd -N anylab-dual-stack-dns_transit-us -f /run/anylab/dual-stack-dns/transit-us/frr.conf -i /run/anylab/dual-stack-dns/transit-us/bgpd.pid --log file:/run/anylab/dual-stack-dns/transit-us/bgpd.log --limit-fds 128 > /run/anylab/dual-stack-dns/transit-us/bgpd.out 2>&1 < /dev/null &","4 BGP session(s), AS 65002"],
    ["start","edge-fra","bgpd","nohup /usr/lib/frr/bgpd -N anylab-dual-stack-dns_edge-fra -f /run/anylab/dual-stack-dns/edge-fra/frr.conf -i /run/anylab/dual-stack-dns/edge-fra/bgpd.pid --log file:/run/anylab/dual-stack-dns/edge-fra/bgpd.log --limit-fds 128 > /run/anylab/dual-stack-dns/edge-fra/bgpd.out 2>&1 < /dev/null &","4 BGP session(s), AS 65101"],
    ["start","edge-iad","bgpd","nohup /usr/lib/frr/bgpd -N anylab-dual-stack-dns_edge-iad -f /run/anylab/dual-stack-dns/edge-iad/frr.conf -i /run/anylab/dual-stack-dns/edge-iad/bgpd.pid --log file:/run/anylab/dual-stack-dns/edge-iad/bgpd.log --limit-fds 128 > /run/anylab/dual-stack-dns/edge-iad/bgpd.out 2>&1 < /dev/null &","4 BGP session(s), AS 65102"],
    ["start","ns-fra","responder","nohup /usr/libexec/anylab/anylab-responder 192.0.2.53,2001:db8:53::53 53 ns-fra > /run/anylab/dual-stack-dns/ns-fra/responder.log 2>&1 < /dev/null &","answers dns on 192.0.2.53:53 and [2001:db8:53::53]:53 with its name"],
    ["start","ns-fra","exabgp","env exabgp_daemon_daemonize=false exabgp_daemon_user=root exabgp_log_destination=stdout exabgp_api_cli=false 'exabgp_tcp_bind=198.18.0.5 2001:2::5' exabgp_tcp_port=179 nohup /usr/bin/python3 -m exabgp /run/anylab/dual-stack-dns/ns-fra/exabgp.conf > /run/anylab/dual-stack-dns/ns-fra/exabgp.log 2>&1 < /dev/null &","announces 192.0.2.0/24 and 2001:db8:53::/48, withdrawn when unhealthy"],
    ["start","ns-iad","responder","nohup /usr/libexec/anylab/anylab-responder 192.0.2.53,2001:db8:53::53 53 ns-iad > /run/anylab/dual-stack-dns/ns-iad/responder.log 2>&1 < /dev/null &","answers dns on 192.0.2.53:53 and [2001:db8:53::53]:53 with its name"],
    ["start","ns-iad","exabgp","env exabgp_daemon_daemonize=false exabgp_daemon_user=root exabgp_log_destination=stdout exabgp_api_cli=false 'exabgp_tcp_bind=198.18.0.7 2001:2::7' exabgp_tcp_port=179 nohup /usr/bin/python3 -m exabgp /run/anylab/dual-stack-dns/ns-iad/exabgp.conf > /run/anylab/dual-stack-dns/ns-iad/exabgp.log 2>&1 < /dev/null &","announces 192.0.2.0/24 and 2001:db8:53::/48"],
]
# Who answers each client before anything happens (the first scenario's
# expectations): [client, protocol, address, port, service, family, instance or ""].
EXPECT = [
    ["client-eu","dns","192.0.2.53",53,"dns","ipv4","ns-fra"],
    ["client-eu","dns","2001:db8:53::53",53,"dns","ipv6","ns-iad"],
    ["client-us","dns","192.0.2.53",53,"dns","ipv4","ns-iad"],
    ["client-us","dns","2001:db8:53::53",53,"dns","ipv6","ns-iad"],
]



def in_netns_of(host):
    """Every process in the host's network namespace but its shell."""
    ino = os.stat(f"/proc/{host.pid}/ns/net").st_ino
    out = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if int(pid) != host.pid and os.stat(f"/proc/{pid}/ns/net").st_ino == ino:
                out.append(int(pid))
        except OSError:
            pass
    return out


def wait_for_socket(path, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        s = socket.socket(socket.AF_UNIX)
        try:
            s.connect(path)
            return
        except OSError:
            time.sleep(0.01)
        finally:
            s.close()
    raise RuntimeError(f"nothing listens on {path} after {seconds} s")


def wait_for_carrier(host, interface):
    """A veth end that came up without carrier (seen now and then) is bounced."""
    for attempt in range(3):
        for _ in range(100):
            if "LOWER_UP" in host.cmd(f"ip -o link show {interface}"):
                return
            time.sleep(0.02)
        host.cmd(f"ip link set {interface} down; ip link set {interface} up")
    raise RuntimeError(f"{host.name}:{interface} has no carrier")


def build(net, hosts, made):
    frr = pwd.getpwnam("frr")
    for row in ACTIONS:
        what, args, why = row[0], row[1:-1], row[-1]
        if what not in ("host", "link") and not made.get("built"):
            net.build()  # every host and link is there: Mininet configures them
            made["built"] = True
        if what == "host":
            hosts[args[0]] = net.addHost(args[0], ip=None)
        elif what == "link":
            a, ia, b, ib = args
            net.addLink(hosts[a], hosts[b], intfName1=ia, intfName2=ib)
        elif what in ("sh", "up"):
            node, line = args[0], args[1] if what == "sh" else f"ip link set {args[1]} up"
            out = hosts[node].cmd(line + " 2>&1; echo rc=$?").strip()
            if not out.endswith("rc=0"):
                raise RuntimeError(f"{node}: {line} ({why}): {out}")
            if what == "up" and args[1] != "lo":
                wait_for_carrier(hosts[node], args[1])
        elif what == "dir":
            os.makedirs(args[0], exist_ok=True)
            made.setdefault("dirs", []).append(args[0])
            if args[1]:
                os.chown(args[0], frr.pw_uid, frr.pw_gid)
        elif what == "file":
            with open(args[0], "w") as f:
                f.write(args[1])
        elif what == "file64":
            with open(args[0], "wb") as f:
                f.write(base64.b64decode(args[1]))
        elif what == "start":
            node, name, line = args
            hosts[node].cmd(line)
        elif what == "socket":
            wait_for_socket(args[1])


def answers():
    """Who answers each expected client now: {(client, service, family): instance or None}."""
    out = {}
    for client, proto, address, port, service, family, _ in EXPECT:
        r = HOSTS[client].cmd(f"{PROBE} {proto} {address} {port} --timeout 500ms 2> /dev/null; echo rc=$?")
        lines = r.strip().splitlines()
        out[(client, service, family)] = lines[0] if len(lines) >= 2 and lines[-1] == "rc=0" else None
    return out


def check(seconds=90):
    deadline = time.monotonic() + seconds
    while True:
        seen = answers()
        good = all(seen[(c, s, f)] == (want or seen[(c, s, f)]) and seen[(c, s, f)] for c, _, _, _, s, f, want in EXPECT)
        if good or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    for client, _, _, _, service, family, want in EXPECT:
        got = seen[(client, service, family)]
        ok = got is not None and (not want or got == want)
        print(f"{'ok  ' if ok else 'FAIL'} {client} {service} {family}: answered by {got or 'nobody'}"
              f" (expected {want or 'any instance'})")
    return good


def remove(net, made):
    for host in HOSTS.values():
        for pid in in_netns_of(host):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
    net.stop()
    for row in ACTIONS:
        if row[0] == "start" and "-N" in row[3]:
            instance = row[3].split(" -N ")[1].split()[0]
            os.system(f"rm -rf /var/run/frr/{instance}")
    os.system(f"rm -rf {RUNTIME_DIR}")


if __name__ == "__main__":
    if os.geteuid() != 0:
        sys.exit(f"{sys.argv[0]}: Mininet needs root: run it with sudo")
    if os.path.exists(RUNTIME_DIR):
        sys.exit(f"{sys.argv[0]}: {RUNTIME_DIR} exists: lab {LAB} is deployed (by anylab, or this script); "
                 f"remove it first (anylab destroy {LAB})")
    setLogLevel("warning")
    net = Mininet(topo=None, controller=None, build=False)
    HOSTS, made, ok = {}, {}, False
    start = time.monotonic()
    try:
        build(net, HOSTS, made)
        print(f"lab {LAB} built in Mininet in {time.monotonic() - start:.1f} s")
        if "--check" in sys.argv[1:]:
            args = sys.argv[1:]
            ok = check(float(args[args.index("--timeout") + 1]) if "--timeout" in args else 90)
            print(f"lab {LAB} {'ready' if ok else 'NOT ready'} {time.monotonic() - start:.1f} s after the start")
        else:
            CLI(net)
            ok = True
    finally:
        remove(net, made)
    sys.exit(0 if ok else 1)
