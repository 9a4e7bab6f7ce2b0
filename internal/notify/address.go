package notify

import (
	"fmt"
	"net/netip"
)

// Metadata endpoints of cloud providers are named separately from their enclosing ranges so
// a refusal says plainly why the address is dangerous.
var metadataAddrs = []netip.Addr{
	netip.MustParseAddr("169.254.169.254"),
	netip.MustParseAddr("fd00:ec2::254"),
}

// blockedPrefixes are ranges that netip's predicates do not already cover.
var blockedPrefixes = []struct {
	prefix netip.Prefix
	name   string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "\"this network\" (0.0.0.0/8)"},
	{netip.MustParsePrefix("100.64.0.0/10"), "carrier-grade NAT (100.64.0.0/10)"},
}

// nat64 is the well-known NAT64 prefix (RFC 6052): such an address reaches the IPv4 address
// in its last four bytes, so that embedded address is what must be judged.
var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// refusedReason says why a notification may not be sent to addr, or returns "" when addr is a
// public unicast address. IPv4-mapped and NAT64 IPv6 addresses are judged by the IPv4
// address they carry.
func refusedReason(addr netip.Addr) string {
	addr = addr.Unmap()
	if nat64.Contains(addr) {
		b := addr.As16()
		if reason := refusedReason(netip.AddrFrom4([4]byte(b[12:]))); reason != "" {
			return reason + " (via NAT64)"
		}
	}
	for _, m := range metadataAddrs {
		if addr == m {
			return "a cloud metadata endpoint"
		}
	}
	switch {
	case addr.IsUnspecified():
		return "unspecified"
	case addr.IsLoopback():
		return "loopback"
	case addr.IsPrivate():
		return "private"
	case addr.IsLinkLocalUnicast():
		return "link-local"
	case addr.IsMulticast() || addr == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return "not a unicast address"
	}
	for _, b := range blockedPrefixes {
		if b.prefix.Contains(addr) {
			return b.name
		}
	}
	return ""
}

// checkAddr returns an error naming addr when it is refused and private targets are not allowed.
func checkAddr(addr netip.Addr, allowPrivate bool) error {
	if allowPrivate {
		return nil
	}
	if reason := refusedReason(addr); reason != "" {
		return fmt.Errorf("address %s is %s; set allow_private on the channel to permit it", addr, reason)
	}
	return nil
}
