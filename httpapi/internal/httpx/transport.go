package httpx

import (
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// What the server believes about the connection: the client's address and
// whether it came over https. Both come from the request itself, or with
// --trust-proxy from X-Forwarded-For and X-Forwarded-Proto, but only when the
// peer is one of the configured proxies; anyone else could claim anything.

// ParseProxies parses the trusted proxy addresses (--trusted-proxies): IP
// addresses or CIDR ranges separated by commas. Empty means loopback only.
func ParseProxies(list string) ([]*net.IPNet, error) {
	if strings.TrimSpace(list) == "" {
		list = "127.0.0.0/8,::1"
	}
	var out []*net.IPNet
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			ip := net.ParseIP(f)
			if ip == nil {
				return nil, fmt.Errorf("--trusted-proxies：%q 不是 IP 地址或网段（如 10.0.0.5 或 10.0.0.0/24）", f)
			}
			bits := 128
			if ip.To4() != nil {
				ip, bits = ip.To4(), 32
			}
			out = append(out, &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)})
			continue
		}
		_, n, err := net.ParseCIDR(f)
		if err != nil {
			return nil, fmt.Errorf("--trusted-proxies：%q 不是 IP 地址或网段（如 10.0.0.5 或 10.0.0.0/24）", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// IPExtractor is the peer address, or with proxies (non-nil) the address the
// nearest untrusted hop put in X-Forwarded-For, believed only from a proxy.
func IPExtractor(proxies []*net.IPNet) echo.IPExtractor {
	if proxies == nil {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range proxies {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// fromProxy reports whether the request's peer is a trusted proxy.
func (a *Core) fromProxy(r *http.Request) bool {
	if a.Proxies == nil {
		return false
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	for _, n := range a.Proxies {
		if ip != nil && n.Contains(ip) {
			return true
		}
	}
	return false
}

// IsHTTPS reports whether the browser reached us over https: TLS here, the
// public URL is https, or a trusted proxy says so in X-Forwarded-Proto.
// Cookies are then Secure and answers carry HSTS.
func (a *Core) IsHTTPS(c echo.Context) bool {
	r := c.Request()
	if r.TLS != nil || strings.HasPrefix(a.PublicURL, "https://") {
		return true
	}
	proto, _, _ := strings.Cut(r.Header.Get(echo.HeaderXForwardedProto), ",")
	return a.fromProxy(r) && strings.EqualFold(strings.TrimSpace(proto), "https")
}

// hstsMaxAge is a year: the browser then refuses plain http to this host.
const hstsMaxAge = "max-age=31536000"

// TransportSecurity sets Strict-Transport-Security on every answer to an
// https request.
func (a *Core) TransportSecurity(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if a.IsHTTPS(c) {
			c.Response().Header().Set("Strict-Transport-Security", hstsMaxAge)
		}
		return next(c)
	}
}
