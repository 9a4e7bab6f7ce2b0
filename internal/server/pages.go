package server

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"sync"
	"time"
)

// The dashboard's templates, stylesheet and script are part of the binary: the pages must
// work on a machine with no internet and no build step besides `go build`.
//
//go:embed web
var webFiles embed.FS

// pageTemplates are parsed when a page is first rendered, not at start-up: every symphony
// process links this package, and only the service's dashboard renders pages.
var pageTemplates = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("pages").Funcs(pageFuncs).ParseFS(webFiles, "web/*.html"))
})

// DefaultPageRefresh is how often a browser without JavaScript reloads a page
// (dashboard.refresh_ms); with JavaScript the pages follow the event stream instead.
const DefaultPageRefresh = time.Second

// contentSecurityPolicy lets the pages load only their own stylesheet and script and talk only
// to their own origin, so even a string that escaped escaping could not run or phone out; no
// other site may frame the page and trick an operator into clicking Pause.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// page is what every page template gets besides its own view.
type page struct {
	Title string
	// Nav names the section the page belongs to, for the navigation bar.
	Nav string
	// RefreshSeconds is the meta refresh of the page when JavaScript is off.
	RefreshSeconds int
	// Now is the time the page describes (the snapshot time), so ages read the same
	// everywhere on the page.
	Now time.Time
}

func (s *Server) page(title, nav string, now time.Time) page {
	return page{Title: title, Nav: nav, RefreshSeconds: max(int(s.opts.PageRefresh/time.Second), 1), Now: now}
}

func (s *Server) pageTable() []route {
	t := []route{
		{http.MethodGet, "/", s.getDashboard, false},
		{http.MethodGet, "/issues/{identifier}", s.getIssuePage, false},
		{http.MethodGet, "/audit", s.getAuditPage, false},
		{http.MethodGet, "/assets/{name}", getAsset, false},
	}
	if s.opts.Learnings != nil {
		t = append(t, route{http.MethodGet, "/learnings", s.getLearningsPage, false})
	}
	return t
}

// renderPage executes a template into memory first, so a template failure becomes a clean
// 500 instead of half a page.
func (s *Server) renderPage(w http.ResponseWriter, status int, name string, view any) {
	var buf bytes.Buffer
	if err := pageTemplates().ExecuteTemplate(&buf, name, view); err != nil {
		s.opts.Logger.Error("dashboard: rendering a page failed", "template", name, "error", err.Error())
		writeError(w, http.StatusInternalServerError, codeInternal, "rendering "+name+" failed: "+err.Error())
		return
	}
	pageHeaders(w.Header())
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func pageHeaders(h http.Header) {
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
}

// missingPage is the HTML answer for a page whose subject does not exist.
type missingPage struct {
	page
	Message string
}

func (s *Server) pageNotFound(w http.ResponseWriter, message string) {
	s.renderPage(w, http.StatusNotFound, "missing.html", missingPage{page: s.page("Not found", "", s.opts.Now()), Message: message})
}

var assetTypes = map[string]string{".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}

// getAsset serves the embedded stylesheet and script.
func getAsset(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	ctype, ok := assetTypes[path.Ext(name)]
	data, err := fs.ReadFile(webFiles, "web/"+name)
	if !ok || err != nil {
		notFound(w, r)
		return
	}
	pageHeaders(w.Header())
	w.Header().Set("Content-Type", ctype)
	// The assets change only with the binary; a short cache keeps reloads cheap without
	// pinning an old script after an upgrade.
	w.Header().Set("Cache-Control", "max-age=300")
	_, _ = w.Write(data)
}
