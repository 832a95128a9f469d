package httpx

import (
	"context"
	"errors"
	"net"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"coopledger/ledger"
)

// The address printed in every public link and QR code: the disclosure page,
// household links, the roster's QR column and the slips. A QR code is read
// by a phone on the notice board, far from the request that printed it, so
// the server may be told its public address (--public-url); without it the
// host the request came to is used, as a sign-in on the server's own machine
// would print 127.0.0.1, which no phone can open.

// ParsePublicURL checks a public base URL: http or https, a host, no user,
// query or fragment; a path prefix is allowed (a proxy's sub-path). It
// returns the URL without a trailing slash.
func ParsePublicURL(s string) (string, error) {
	bad := func(why string) error {
		return errors.New("公开地址 --public-url 不正确（" + why + "），应为 http:// 或 https:// 开头的完整地址，如 https://cun.example.cn" +
			" / invalid --public-url (" + s + "): must be an absolute http or https URL with a host and no query or fragment")
	}
	u, err := url.Parse(strings.TrimSpace(s))
	switch {
	case err != nil:
		return "", bad("无法解析")
	case u.Scheme != "http" && u.Scheme != "https":
		return "", bad("只能是 http 或 https")
	case u.Host == "" || u.Hostname() == "":
		return "", bad("缺少主机名")
	case u.User != nil:
		return "", bad("不能带用户名或密码")
	case u.RawQuery != "" || u.ForceQuery:
		return "", bad("不能带 ? 查询参数")
	case u.Fragment != "" || strings.Contains(s, "#"):
		return "", bad("不能带 # 片段")
	case u.Opaque != "":
		return "", bad("无法解析")
	}
	if p := u.Port(); p != "" && strings.Trim(p, "0123456789") != "" {
		return "", bad("端口不正确")
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u.String(), nil
}

// IsLoopbackURL reports whether a base URL's host is localhost or a
// loopback address: a QR code leading there opens on no phone.
func IsLoopbackURL(base string) bool {
	u, err := url.Parse(base)
	if err != nil {
		return false
	}
	host := u.Hostname()
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// PublicBase is the base of the public links a request prints: the
// configured public URL, or the scheme and host the request came to.
func (a *Core) PublicBase(c echo.Context) string {
	if a.PublicURL != "" {
		return a.PublicURL
	}
	return c.Scheme() + "://" + c.Request().Host
}

// HouseholdLinkURLs returns the current public link of every household of a
// book that has an active one, under base (a checked public URL): for the
// roster's QR column and the slips. A book without links costs one query.
func HouseholdLinkURLs(ctx context.Context, s *ledger.Store, a ledger.Actor, book, base string) (map[string]string, error) {
	tokens, err := s.HouseholdLinkTokens(ctx, a, book)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(tokens))
	for code, t := range tokens {
		out[code] = base + HouseholdPath(book, t)
	}
	return out, nil
}
func DisclosurePath(book, slug string) string { return "/p/" + book + "/" + slug }

func HouseholdPath(book, token string) string { return "/h/" + book + "/" + token }
