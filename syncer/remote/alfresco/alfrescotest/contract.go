package alfrescotest

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// DefinitionsEnv names an environment variable that, when set, is the folder holding the
// API definitions (alfresco-core.yaml, alfresco-auth.yaml); it overrides the search.
const DefinitionsEnv = "CLOUDSYNC_ALFRESCO_API"

// FindDefinitions returns the folder holding the official API definitions: $DefinitionsEnv
// when set, else ../shared/alfresco next to the repository root found by walking up from
// the working directory to the first folder with a go.mod. An error says what was looked
// for when it is absent.
func FindDefinitions() (string, error) {
	if d := os.Getenv(DefinitionsEnv); d != "" {
		return d, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			cand := filepath.Join(d, "..", "shared", "alfresco")
			if _, err := os.Stat(filepath.Join(cand, "alfresco-core.yaml")); err != nil {
				return "", fmt.Errorf("the Alfresco API definitions are not in %s (repository root %s); set %s to their folder", cand, d, DefinitionsEnv)
			}
			return cand, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod above %s, so ../shared/alfresco cannot be located; set %s", wd, DefinitionsEnv)
		}
	}
}

// SharedContract loads the definitions found by FindDefinitions once per process and
// returns the same read-only Contract to every caller (loading takes about a second).
var SharedContract = sync.OnceValues(func() (*Contract, error) {
	dir, err := FindDefinitions()
	if err != nil {
		return nil, err
	}
	return LoadContract(dir)
})

// Contract validates requests and responses against the official definitions. It is
// read-only after LoadContract and safe for concurrent use.
//
// Two adaptations make the official text checkable by kin-openapi, without loosening it:
//   - The name pattern `^(?!(…))` uses a negative lookahead, which Go's regexp lacks; it is
//     evaluated as "the inner expression does not match at the start", which is its meaning.
//   - "format: date-time" is checked as Alfresco writes timestamps (REAL-ALFRESCO.md §11:
//     2019-09-02T12:24:52.887+0000, offset without colon), besides RFC 3339.
//
// One addition: the multipart upload's form is described in the definition's prose (the
// "filedata" field) but its schema is the JSON body's; the form schema gets that one
// binary field so a real upload form validates.
type Contract struct {
	routers []apiRouter
	opts    *openapi3filter.Options
}

type apiRouter struct {
	api    string // path segment after public/, e.g. "alfresco"
	router routers.Router
}

// LoadContract loads alfresco-core.yaml and alfresco-auth.yaml from dir.
func LoadContract(dir string) (*Contract, error) {
	c := &Contract{opts: &openapi3filter.Options{
		AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
		RegexCompiler:      compileRegex,
		MultiError:         false,
		SchemaValidationOptions: []openapi3.SchemaValidationOption{
			openapi3.WithStringFormatValidators(map[string]openapi3.StringFormatValidator{"date-time": dateTimeFormat{}}),
			openapi3.SetSchemaRegexCompiler(compileRegex),
		},
	}}
	for _, f := range []struct{ file, api string }{{"alfresco-core.yaml", "alfresco"}, {"alfresco-auth.yaml", "authentication"}} {
		b, err := os.ReadFile(filepath.Join(dir, f.file))
		if err != nil {
			return nil, err
		}
		var d2 openapi2.T
		if err := openapi2.UnmarshalFromData(b, &d2); err != nil {
			return nil, fmt.Errorf("%s: %w", f.file, err)
		}
		d3, err := openapi2conv.ToV3(&d2)
		if err != nil {
			return nil, fmt.Errorf("%s: converting to OpenAPI 3: %w", f.file, err)
		}
		addFiledata(d3)
		r, err := gorillamux.NewRouter(d3)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.file, err)
		}
		c.routers = append(c.routers, apiRouter{api: f.api, router: r})
	}
	return c, nil
}

// addFiledata gives createNode's multipart form the "filedata" file field.
func addFiledata(d *openapi3.T) {
	p := d.Paths.Value("/nodes/{nodeId}/children")
	if p == nil || p.Post == nil || p.Post.RequestBody == nil || p.Post.RequestBody.Value == nil {
		return
	}
	mt := p.Post.RequestBody.Value.Content.Get("multipart/form-data")
	if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
		return
	}
	base := mt.Schema.Value
	form := openapi3.NewObjectSchema()
	form.Required = base.Required
	form.Properties = openapi3.Schemas{}
	for k, v := range base.Properties {
		form.Properties[k] = v
	}
	form.Properties["filedata"] = openapi3.NewSchemaRef("", openapi3.NewStringSchema().WithFormat("binary"))
	mt.Schema = openapi3.NewSchemaRef("", form)
}

// lookahead matches a pattern that is one negative lookahead at the start.
var lookahead = regexp.MustCompile(`^\^\(\?!(.*)\)$`)

func compileRegex(expr string) (openapi3.RegexMatcher, error) {
	if m := lookahead.FindStringSubmatch(expr); m != nil {
		inner, err := regexp.Compile(`^(?:` + m[1] + `)`)
		if err != nil {
			return nil, err
		}
		return notMatcher{inner}, nil
	}
	return regexp.Compile(expr)
}

type notMatcher struct{ re *regexp.Regexp }

func (n notMatcher) MatchString(s string) bool { return !n.re.MatchString(s) }

type dateTimeFormat struct{}

func (dateTimeFormat) Validate(v string) error {
	for _, layout := range []string{alfrescoTime, time.RFC3339Nano} {
		if _, err := time.Parse(layout, v); err == nil {
			return nil
		}
	}
	return fmt.Errorf("%q is not an Alfresco timestamp (%s) nor RFC 3339", v, alfrescoTime)
}

// find routes r (its network segment read as -default-, the only one the definitions
// name) in the definition of its API.
func (c *Contract) find(r *http.Request) (*http.Request, *routers.Route, map[string]string, error) {
	segs := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/"), "/", 6)
	if len(segs) < 6 || segs[0] != "alfresco" || segs[1] != "api" || segs[3] != "public" {
		return nil, nil, nil, fmt.Errorf("not an API path")
	}
	for _, ar := range c.routers {
		if ar.api != segs[4] {
			continue
		}
		r2 := r.Clone(r.Context())
		u := *r.URL
		u.Path = "/alfresco/api/-default-/" + strings.Join(segs[3:], "/")
		u.RawPath = ""
		if r.URL.RawPath != "" {
			rs := strings.SplitN(strings.TrimPrefix(r.URL.RawPath, "/"), "/", 6)
			u.RawPath = "/alfresco/api/-default-/" + strings.Join(rs[3:], "/")
		}
		r2.URL = &u
		route, params, err := ar.router.FindRoute(r2)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("no such operation in the definition: %w", err)
		}
		return r2, route, params, nil
	}
	return nil, nil, nil, fmt.Errorf("API %q is not among the loaded definitions", segs[4])
}

// checkRequest validates r and restores its body for the handler; it returns the body.
func (c *Contract) checkRequest(r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return body, err
	}
	r2, route, params, err := c.find(r)
	if err != nil {
		return body, err
	}
	r2.Body = io.NopCloser(bytes.NewReader(body))
	in := &openapi3filter.RequestValidationInput{Request: r2, PathParams: params, Route: route, Options: c.opts}
	return body, openapi3filter.ValidateRequest(context.Background(), in)
}

// checkResponse validates a response to r (whose body was reqBody).
func (c *Contract) checkResponse(r *http.Request, reqBody []byte, status int, h http.Header, body []byte) error {
	r2, route, params, err := c.find(r)
	if err != nil {
		return nil // already reported for the request
	}
	r2.Body = io.NopCloser(bytes.NewReader(reqBody))
	opts := *c.opts
	opts.IncludeResponseStatus = false
	in := &openapi3filter.RequestValidationInput{Request: r2, PathParams: params, Route: route, Options: &opts}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: status, Header: h,
		Body: io.NopCloser(bytes.NewReader(body)), Options: &opts}
	if status >= 400 && len(body) == 0 {
		return errors.New("an error reply without Alfresco's error body")
	}
	return openapi3filter.ValidateResponse(context.Background(), out)
}

// recorder buffers a response so that it can be validated before it is sent.
type recorder struct {
	status int
	header http.Header
	body   bytes.Buffer
}

func newRecorder() *recorder { return &recorder{header: http.Header{}} }

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

func (r *recorder) copyTo(w http.ResponseWriter) {
	for k, v := range r.header {
		w.Header()[k] = v
	}
	if r.status == 0 {
		r.status = http.StatusOK
	}
	w.WriteHeader(r.status)
	_, _ = w.Write(r.body.Bytes())
}

// multipartBody is a parsed upload form.
type multipartBody struct {
	fields   map[string]string // lower-cased names: Alfresco matches them case-insensitively
	file     []byte
	filename string
	hasFile  bool
}

func (m *multipartBody) field(name string) string {
	if m == nil {
		return ""
	}
	return m.fields[strings.ToLower(name)]
}

func readMultipart(r io.Reader, boundary string) (*multipartBody, error) {
	mr := multipart.NewReader(r, boundary)
	out := &multipartBody{fields: map[string]string{}}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		b, err := io.ReadAll(p)
		if err != nil {
			return nil, err
		}
		if strings.EqualFold(p.FormName(), "filedata") {
			out.file, out.filename, out.hasFile = b, p.FileName(), true
			continue
		}
		out.fields[strings.ToLower(p.FormName())] = string(b)
	}
}

func base64Decode(s string) (string, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	return string(b), err
}
