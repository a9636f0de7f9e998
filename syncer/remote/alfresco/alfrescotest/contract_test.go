package alfrescotest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func contract(t *testing.T) *Contract {
	t.Helper()
	c, err := SharedContract()
	if err != nil {
		t.Skipf("Alfresco API definitions not found, contract checks skipped: %v", err)
	}
	return c
}

const base = "http://127.0.0.1/alfresco/api/-default-/public/alfresco/versions/1"

// TestContractCatchesViolations: the validation really checks the official definition,
// including the adapted name pattern and timestamp format.
func TestContractCatchesViolations(t *testing.T) {
	c := contract(t)
	node := func(name, modified string) string {
		return `{"entry":{"id":"n1","name":"` + name + `","nodeType":"cm:content","isFolder":false,"isFile":true,` +
			`"createdAt":"2019-09-02T12:24:52.887+0000","modifiedAt":"` + modified + `",` +
			`"createdByUser":{"id":"u","displayName":"U"},"modifiedByUser":{"id":"u","displayName":"U"}}}`
	}
	for _, tc := range []struct {
		name, method, url, body string
		status                  int
		resp                    string
		wantReq, wantResp       bool
	}{
		{"valid node", "GET", "/nodes/n1", "", 200, node("a.txt", "2019-09-02T12:24:52.887+0000"), true, true},
		{"offset with minus", "GET", "/nodes/n1", "", 200, node("a.txt", "2019-09-02T07:24:52.887-0500"), true, true},
		{"forbidden name in a reply", "GET", "/nodes/n1", "", 200, node("a?.txt", "2019-09-02T12:24:52.887+0000"), true, false},
		{"bad timestamp", "GET", "/nodes/n1", "", 200, node("a.txt", "2 Sep 2019"), true, false},
		{"missing required field", "GET", "/nodes/n1", "", 200, `{"entry":{"id":"n1"}}`, true, false},
		{"error without body", "GET", "/nodes/n1", "", 404, ``, true, false},
		{"rename to a forbidden name", "PUT", "/nodes/n1", `{"name":"x:y"}`, 200, node("a.txt", "2019-09-02T12:24:52.887+0000"), false, true},
		{"maxItems not a number", "GET", "/nodes/n1/children?maxItems=lots", "", 400, `{"error":{"statusCode":400,"briefSummary":"x","stackTrace":"x","descriptionURL":"x"}}`, false, true},
		{"unknown operation", "GET", "/nodes/n1/no-such-thing", "", 404, ``, false, true},
	} {
		r := httptest.NewRequest(tc.method, base+tc.url, strings.NewReader(tc.body))
		if tc.body != "" {
			r.Header.Set("Content-Type", "application/json")
		}
		body, err := c.checkRequest(r)
		if (err == nil) != tc.wantReq {
			t.Errorf("%s: request check = %v, want ok=%v", tc.name, err, tc.wantReq)
		}
		if !tc.wantReq {
			continue
		}
		h := http.Header{"Content-Type": {"application/json"}}
		err = c.checkResponse(r, body, tc.status, h, []byte(tc.resp))
		if (err == nil) != tc.wantResp {
			t.Errorf("%s: response check = %v, want ok=%v", tc.name, err, tc.wantResp)
		}
	}
}

// TestServerReportsViolatingRequests: a request outside the definition reaches Violation
// (Start turns that into a test failure).
func TestServerReportsViolatingRequests(t *testing.T) {
	c := contract(t)
	var got []string
	s := New(Options{Contract: c, Violation: func(m string) { got = append(got, m) }})
	s.AddUser("u", "p")
	rec := httptest.NewRecorder()
	r := httptest.NewRequest("GET", base+"/nodes/-root-/children?skipCount=minus", nil)
	r.SetBasicAuth("u", "p")
	s.ServeHTTP(rec, r)
	if len(got) == 0 || !strings.Contains(got[0], "skipCount") {
		t.Fatalf("violations: %q", got)
	}
}

func TestMissingDefinitionsAreReported(t *testing.T) {
	t.Setenv(DefinitionsEnv, t.TempDir())
	if _, err := LoadContract(t.TempDir()); err == nil {
		t.Fatal("LoadContract of an empty folder succeeded")
	}
}
