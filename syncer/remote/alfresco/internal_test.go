package alfresco

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer/remote"
)

func TestStatusMapsToOneKind(t *testing.T) {
	for _, tc := range []struct {
		status int
		msg    string
		want   error
		reason remote.Reason
	}{
		{401, "Authentication failed for Web Script", remote.ErrAuth, remote.ReasonAuthFailed},
		{403, "Permission was denied", remote.ErrPermission, remote.ReasonPermissionDenied},
		{404, "The entity with id: x was not found", remote.ErrNotFound, remote.ReasonTargetDeleted},
		{409, "Duplicate child name not allowed: newFile", remote.ErrNameClash, remote.ReasonNameClash},
		{409, "Duplicate child name not allowed: locked.txt", remote.ErrNameClash, remote.ReasonNameClash},
		{409, "report.docx already exists.", remote.ErrNameClash, remote.ReasonNameClash},
		{409, "Cannot perform operation since the node (id:abc) is locked.", remote.ErrLocked, remote.ReasonLocked},
		{409, "", remote.ErrNameClash, remote.ReasonNameClash},
		{413, "The file can't be uploaded because it's larger than the maximum upload size", remote.ErrTooLarge, remote.ReasonTooLarge},
		{422, "Found 1 integrity violations", remote.ErrInvalidName, remote.ReasonInvalidName},
		{507, "The file upload exceeds the content storage allowance", remote.ErrQuota, remote.ReasonQuotaExceeded},
		{415, "", remote.ErrUnsupported, remote.ReasonUnsupported},
		{416, "", remote.ErrChanged, remote.ReasonNetwork},
		{500, "", remote.ErrServer, remote.ReasonNetwork},
		{503, "", remote.ErrServer, remote.ReasonNetwork},
		{429, "", remote.ErrServer, remote.ReasonNetwork},
	} {
		got := kindOf(tc.status, tc.msg)
		if got != tc.want {
			t.Errorf("kindOf(%d, %q) = %v, want %v", tc.status, tc.msg, got, tc.want)
		}
		if r := remote.ReasonOf(&remote.Error{Kind: got}, remote.ReasonTargetDeleted); r != tc.reason {
			t.Errorf("%d %q: reason %s, want %s", tc.status, tc.msg, r, tc.reason)
		}
	}
}

func TestStatusErrorReadsAlfrescoErrorBodies(t *testing.T) {
	for _, tc := range []struct {
		name, body, want string
		retry            string
		wantRetry        time.Duration
	}{
		{"envelope", `{"error":{"errorKey":"Duplicate child name not allowed: a","statusCode":409,"briefSummary":"06070090 Duplicate child name not allowed: a","stackTrace":"x","descriptionURL":"y"}}`,
			"Duplicate child name not allowed: a", "", 0},
		{"empty body", ``, "", "", 0},
		{"html", `<html><body>Bad Gateway</body></html>`, "", "7", 7 * time.Second},
		{"errorKey only", `{"error":{"errorKey":"framework.exception.ApiDefault","statusCode":500}}`, "framework.exception.ApiDefault", "", 0},
	} {
		resp := &http.Response{StatusCode: 409, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(tc.body))}
		if tc.retry != "" {
			resp.Header.Set("Retry-After", tc.retry)
		}
		e := statusError("PUT nodes/{id}", "a", resp)
		if e.Message != tc.want || e.RetryAfter != tc.wantRetry || e.Status != 409 {
			t.Errorf("%s: %+v, want message %q retry %v", tc.name, e, tc.want, tc.wantRetry)
		}
	}
}

func TestParseAlfrescoTimestamps(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Time
	}{
		{"2019-09-02T12:24:52.887+0000", time.Date(2019, 9, 2, 12, 24, 52, 887e6, time.UTC)},
		{"2019-09-02T07:24:52.887-0500", time.Date(2019, 9, 2, 12, 24, 52, 887e6, time.UTC)},
		{"2019-09-02T12:24:52.887Z", time.Date(2019, 9, 2, 12, 24, 52, 887e6, time.UTC)},
		{"2019-09-02T14:24:52.887+02:00", time.Date(2019, 9, 2, 12, 24, 52, 887e6, time.UTC)},
		{"2019-09-02T12:24:52+0000", time.Date(2019, 9, 2, 12, 24, 52, 0, time.UTC)},
	} {
		got, err := ParseTime(tc.in)
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "yesterday", "2019-09-02 12:24:52"} {
		if _, err := ParseTime(bad); !errors.Is(err, remote.ErrBadResponse) {
			t.Errorf("ParseTime(%q) = %v, want ErrBadResponse", bad, err)
		}
	}
}

func TestNamesAlfrescoRefuses(t *testing.T) {
	c, _ := New(Config{URL: "http://127.0.0.1:1"})
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"report.docx", true}, {".hidden", true}, {" leading space.txt", true}, {"ünïcödé ✓.txt", true},
		{"100% #1 & co.txt", true}, {"trailing.dots..txt", true}, {strings.Repeat("x", 255), true},
		{"", false}, {"a*b", false}, {`say "hi"`, false}, {"a<b", false}, {"a>b", false}, {`back\slash`, false},
		{"a/b", false}, {"why?", false}, {"c:d", false}, {"pipe|d", false}, {"ends.", false}, {"ends ", false},
		{".", false}, {"..", false}, {strings.Repeat("x", 256), false},
	} {
		err := c.ValidateName(tc.name)
		if (err == nil) != tc.ok || err != nil && !errors.Is(err, remote.ErrInvalidName) {
			t.Errorf("ValidateName(%q) = %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
	if c.FoldName("Report.DOCX") != c.FoldName("report.docx") {
		t.Error("FoldName must make case twins clash")
	}
}

func TestWebURLs(t *testing.T) {
	const id = "d8f561cc-e208-4c63-a316-1ea3d3a4e10e"
	share, _ := New(Config{URL: "https://acs.example.com/alfresco"})
	app, _ := New(Config{URL: "https://acs.example.com", WebUI: "https://acs.example.com/workspace/"})
	for _, tc := range []struct {
		name string
		c    *Client
		e    remote.Entry
		want string
	}{
		{"share file", share, remote.Entry{ID: id, Path: "-default-/docs/a/report.docx"},
			"https://acs.example.com/share/page/document-details?nodeRef=workspace://SpacesStore/" + id},
		{"share folder", share, remote.Entry{ID: id, Path: "-default-/docs/Sub Folder/Child", IsDir: true},
			"https://acs.example.com/share/page/site/docs/documentlibrary?path=/Sub%20Folder/Child"},
		{"share site root", share, remote.Entry{ID: id, Path: "-default-/docs", IsDir: true},
			"https://acs.example.com/share/page/site/docs/documentlibrary"},
		{"share file without id", share, remote.Entry{Path: "-default-/docs/x.txt"}, ""},
		{"app file", app, remote.Entry{ID: id, Path: "-default-/docs/a/report.docx"},
			"https://acs.example.com/workspace/#/view/(viewer:" + id + ")"},
		{"app folder", app, remote.Entry{ID: id, Path: "-default-/docs/a", IsDir: true},
			"https://acs.example.com/workspace/#/libraries/" + id},
	} {
		if got := tc.c.WebURL(tc.e); got != tc.want {
			t.Errorf("%s: WebURL = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestAPIBaseFromAccountURL(t *testing.T) {
	for in, want := range map[string]string{
		"http://127.0.0.1:8080":                  "http://127.0.0.1:8080/alfresco/api",
		"https://acs.example.com/":               "https://acs.example.com/alfresco/api",
		"https://acs.example.com/alfresco":       "https://acs.example.com/alfresco/api",
		"https://acs.example.com/alfresco/api/":  "https://acs.example.com/alfresco/api",
		"https://proxy.example.com/ecm/alfresco": "https://proxy.example.com/ecm/alfresco/api",
	} {
		c, err := New(Config{URL: in})
		if err != nil || c.api.String() != want {
			t.Errorf("New(%q): api %v, %v; want %s", in, c.api, err, want)
		}
	}
	for _, bad := range []string{"ftp://h", "https://u:p@h", "https://h/?x=1", "no scheme"} {
		if _, err := New(Config{URL: bad}); err == nil {
			t.Errorf("New(%q) accepted", bad)
		}
	}
}
