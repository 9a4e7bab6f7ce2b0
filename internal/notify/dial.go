package notify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"time"
)

// Resolver looks up the addresses of a host name. *net.Resolver satisfies it; tests pass a
// fixed table so a public-looking name can resolve to 127.0.0.1.
type Resolver interface {
	LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error)
}

// dialTimeout bounds one TCP connect; the whole request has its own, longer timeout.
const dialTimeout = 5 * time.Second

// guardedDialer connects only to addresses the channel may reach. The check runs in the
// net.Dialer Control hook, on the address the socket is about to connect to, so it holds
// whatever the name resolved to and however often it is re-resolved (DNS rebinding).
type guardedDialer struct {
	resolver     Resolver
	allowPrivate bool
}

func (g guardedDialer) control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("notify: refusing to dial %q: %v", address, err)
	}
	if err := checkAddr(ap.Addr(), g.allowPrivate); err != nil {
		return fmt.Errorf("notify: refusing to connect: %w", err)
	}
	return nil
}

// DialContext resolves addr with the channel's resolver and connects to the first address
// that both passes the guard and accepts the connection.
func (g guardedDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	d := &net.Dialer{Timeout: dialTimeout, Control: g.control}
	if _, err := netip.ParseAddr(host); err == nil {
		return d.DialContext(ctx, network, addr)
	}
	ips, err := g.resolver.LookupIPAddr(ctx, host)
	if err != nil {
		return nil, fmt.Errorf("notify: resolving %s: %w", host, err)
	}
	if len(ips) == 0 {
		return nil, fmt.Errorf("notify: %s resolved to no address", host)
	}
	var errs []error
	for _, ip := range ips {
		conn, err := d.DialContext(ctx, network, net.JoinHostPort(ip.String(), port))
		if err == nil {
			return conn, nil
		}
		errs = append(errs, err)
	}
	return nil, errors.Join(errs...)
}
